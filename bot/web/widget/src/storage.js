// The conversation kept in sessionStorage (default) or localStorage, under one key:
// {token, expires_at, max_message_chars, messages: [...]}. Storage may be missing or
// refuse writes (privacy modes, quota): then the widget keeps it in memory only.

export const STORAGE_KEY = "wismo-widget:v1";
export const MAX_STORED_MESSAGES = 100;
const EXPIRY_MARGIN_MS = 60 * 1000;

export function openStore(kind) {
  let area = null;
  try {
    area = kind === "local" ? window.localStorage : window.sessionStorage;
  } catch {
    area = null;
  }
  let memory = null;

  function load() {
    let raw = memory;
    if (area) {
      try {
        raw = area.getItem(STORAGE_KEY);
      } catch {
        /* fall back to memory */
      }
    }
    if (!raw) return null;
    let state;
    try {
      state = JSON.parse(raw);
    } catch {
      return null;
    }
    return isUsable(state) ? { ...state, messages: cleanMessages(state.messages) } : null;
  }

  function save(state) {
    const kept = { ...state, messages: state.messages.slice(-MAX_STORED_MESSAGES) };
    const raw = JSON.stringify(kept);
    memory = raw;
    if (!area) return;
    try {
      area.setItem(STORAGE_KEY, raw);
    } catch {
      /* memory copy only */
    }
  }

  function clear() {
    memory = null;
    if (!area) return;
    try {
      area.removeItem(STORAGE_KEY);
    } catch {
      /* nothing to do */
    }
  }

  return { load, save, clear };
}

/** A stored session the server should still accept. */
export function isUsable(state) {
  return (
    !!state &&
    typeof state === "object" &&
    typeof state.token === "string" &&
    state.token.length > 0 &&
    typeof state.expires_at === "number" &&
    state.expires_at * 1000 > Date.now() + EXPIRY_MARGIN_MS
  );
}

function cleanMessages(messages) {
  if (!Array.isArray(messages)) return [];
  return messages.filter(
    (m) => m && typeof m === "object" && ["user", "bot", "note"].includes(m.from),
  );
}
