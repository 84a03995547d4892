// Keyboard shortcuts of the Alerts page: j/k move, Enter opens, a acknowledges, s silences, / focuses the filter,
// ? toggles the help. Keys typed into inputs are left alone (except Escape), and so are keys with modifiers.
let page = null;

function typing(target) {
  if (!target) {
    return false;
  }
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

function onKey(event) {
  if (!page || event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  if (document.querySelector(".mud-dialog-container")) {
    return; // a dialog is open: its own keys apply
  }
  const key = event.key;
  if (typing(event.target) && key !== "Escape") {
    return;
  }
  if (key === "/") {
    const filter = document.getElementById("alert-filter");
    if (filter) {
      event.preventDefault();
      filter.focus();
    }
    return;
  }
  if (["j", "k", "a", "s", "?", "Enter", "Escape"].includes(key)) {
    if (key !== "Escape") {
      event.preventDefault();
    }
    page.invokeMethodAsync("OnShortcut", key).then(() => {
      const current = document.querySelector("[data-testid=alert-row][data-cursor=true]");
      if (current) {
        current.scrollIntoView({ block: "nearest" });
      }
    });
  }
}

export function attach(dotnet) {
  page = dotnet;
  document.addEventListener("keydown", onKey);
}

export function detach() {
  page = null;
  document.removeEventListener("keydown", onKey);
}
