// Live tail auto-scroll: follows new lines while the reader is at the bottom, stops when they scroll up, and
// tells the page so it can offer to resume.
const slack = 24;

export function attach(element, page) {
  if (!element || element.ocTail) {
    return;
  }

  const state = { following: true };
  element.ocTail = state;
  element.addEventListener("scroll", () => {
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= slack;
    if (atBottom !== state.following) {
      state.following = atBottom;
      page.invokeMethodAsync("OnTailFollowChanged", atBottom);
    }
  }, { passive: true });
}

export function follow(element) {
  if (element && element.ocTail) {
    element.ocTail.following = true;
    element.scrollTop = element.scrollHeight;
  }
}

export function scrollIfFollowing(element) {
  if (element && element.ocTail && element.ocTail.following) {
    element.scrollTop = element.scrollHeight;
  }
}
