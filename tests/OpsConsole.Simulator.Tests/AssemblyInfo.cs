// Each workload names its ActivitySources after its services (as a real service would), so two workloads in one
// process would see each other's spans; and the machine has two cores. One test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
