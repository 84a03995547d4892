// The user's theme choice, kept in this browser only.
const key = "opsconsole.theme";

export function getTheme() {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function setTheme(value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}
