// The WISMO website chat widget: one <script> tag, a shadow DOM, socket.io to Rasa.
// See ../README.md for the markup, the class names and the protocol.

import { io } from "socket.io-client";
import css from "./widget.css";
import { readConfig } from "./config.js";
import { h, icon, srOnly } from "./dom.js";
import { botMessage, messageRow, noteRow, repliesRow, shipmentCard, typingRow } from "./render.js";
import { isUsable, openStore } from "./storage.js";

// Captured now: document.currentScript is only set while this script first runs.
const SCRIPT = document.currentScript || document.querySelector('script[src*="wismo-widget"]');

const TEXT = {
  launcher: "Chat with us",
  close: "Close chat",
  human: "Talk to a person",
  label: "Message",
  placeholder: "Type your message…",
  send: "Send",
  log: "Conversation",
  down: "Can't reach the assistant right now. Trying again…",
  kept: "Your message has not been sent: it stays in the box, ready to send once we are back.",
  renewed: "This is a new conversation.",
};
const HUMAN = { title: TEXT.human, payload: "/request_human" };
const DEFAULT_MAX_CHARS = 2000;
const TYPING_TIMEOUT_MS = 20000;
const FIRST_CONNECT_WAIT_MS = 8000;
const SESSION_TIMEOUT_MS = 10000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n) => n.toLocaleString("en-US");
const charCount = (text) => Array.from(text).length; // code points, as the server counts

function createWidget(config) {
  const store = openStore(config.storage);

  // ---- the DOM ---------------------------------------------------------------------
  const host = h("div", { id: "wismo-widget" });
  // Inline styles beat the store's selectors: the host itself takes no part in layout.
  host.style.setProperty("all", "initial", "important");
  host.style.setProperty("position", "static", "important");
  const shadow = host.attachShadow({ mode: "open" });
  adoptCss(shadow, css);

  const title = h("h2", { id: "wismo-title", class: "wismo-title" }, config.title);
  const humanButton = h("button", { type: "button", class: "wismo-human" }, TEXT.human);
  const closeButton = h("button", { type: "button", class: "wismo-close", "aria-label": TEXT.close }, icon("close"));
  const banner = h("div", { id: "wismo-banner", class: "wismo-banner", role: "status" });
  const log = h("div", {
    id: "wismo-log",
    class: "wismo-log",
    role: "log",
    "aria-live": "polite",
    "aria-label": TEXT.log,
    tabindex: "0",
  });
  const input = h("textarea", {
    id: "wismo-input",
    class: "wismo-input",
    name: "message",
    rows: "1",
    placeholder: TEXT.placeholder,
    autocomplete: "off",
    enterkeyhint: "send",
    "aria-describedby": "wismo-hint wismo-counter",
  });
  const hint = h("p", { id: "wismo-hint", class: "wismo-hint", role: "alert" });
  const counter = h("p", { id: "wismo-counter", class: "wismo-counter", hidden: true });
  const sendButton = h("button", { type: "submit", class: "wismo-send" }, icon("send"), h("span", null, TEXT.send));
  const form = h(
    "form",
    { class: "wismo-form", novalidate: true },
    h("label", { for: "wismo-input", class: "wismo-sr" }, TEXT.label),
    h("div", { class: "wismo-input-row" }, input, sendButton),
    hint,
    counter,
  );
  const panel = h(
    "div",
    { id: "wismo-panel", class: "wismo-panel", role: "dialog", "aria-labelledby": "wismo-title", hidden: true },
    h("div", { class: "wismo-header" }, title, closeButton, humanButton),
    banner,
    log,
    form,
  );
  const launcher = h(
    "button",
    {
      type: "button",
      id: "wismo-launcher",
      class: "wismo-launcher",
      "aria-expanded": "false",
      "aria-controls": "wismo-panel",
    },
    icon("chat"),
    h("span", { class: "wismo-launcher-label" }, TEXT.launcher),
  );
  const root = h("div", { class: "wismo-root" }, launcher, panel);
  root.style.setProperty("--wismo-primary", config.color);
  root.style.setProperty("--wismo-on-primary", config.textColor);
  shadow.append(root);

  // ---- state -----------------------------------------------------------------------
  let stored = store.load();
  if (!stored) store.clear();
  let session = stored
    ? { token: stored.token, expires_at: stored.expires_at, max_message_chars: maxChars(stored.max_message_chars) }
    : null;
  let messages = stored ? stored.messages : [];
  let socket = null;
  let starting = null;
  let connected = false;
  let down = false; // a connection failed and has not come back yet
  let renewing = false;
  let lastRenewal = 0;
  let waiting = false;
  let isOpen = false;
  let typing = null;
  let typingTimer = null;
  let lastTyped = null; // the typed text of the turn in progress, given back if the session dies
  let pendingTurns = 0; // messages sent whose `turn_done` has not come yet
  let pendingReplies = [];
  const connectWaiters = new Set();

  function persist() {
    if (!session) return;
    store.save({ ...session, messages });
  }

  // ---- the log -----------------------------------------------------------------------
  function insert(node) {
    log.insertBefore(node, typing && typing.parentNode === log ? typing : null);
    log.scrollTop = log.scrollHeight;
  }

  function render(message) {
    if (message.from === "note") return insert(noteRow(String(message.text || "")));
    if (message.from === "user") return insert(messageRow("user", String(message.text || "")));
    if (message.card && typeof message.card === "object") return insert(shipmentCard(message.card));
    if (typeof message.text === "string" && message.text) insert(messageRow("bot", message.text));
    if (Array.isArray(message.replies) && message.replies.length) {
      const row = repliesRow(message.replies, pickReply);
      pendingReplies.push({ row, message });
      insert(row);
    }
  }

  function add(message) {
    messages.push(message);
    render(message);
    persist();
  }

  function clearReplies() {
    if (!pendingReplies.length) return;
    const hadFocus = pendingReplies.some(({ row }) => row.contains(shadow.activeElement));
    for (const { row, message } of pendingReplies) {
      row.remove();
      delete message.replies;
    }
    pendingReplies = [];
    persist();
    if (hadFocus) input.focus();
  }

  function showTyping() {
    if (!typing) {
      typing = typingRow();
      log.append(typing);
      log.scrollTop = log.scrollHeight;
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    lastTyped = null;
    pendingTurns = 0;
    if (typing) typing.remove();
    typing = null;
  }

  function note(text) {
    const last = messages[messages.length - 1];
    if (last && last.from === "note" && last.text === text) return;
    add({ from: "note", text });
  }

  // ---- the banner ------------------------------------------------------------------
  function showBanner(kept) {
    const text = kept ? `${TEXT.down} ${TEXT.kept}` : TEXT.down;
    if (banner.textContent !== text) banner.textContent = text;
  }

  function hideBanner() {
    banner.textContent = "";
  }

  // ---- session and socket ------------------------------------------------------------
  function maxChars(value) {
    return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_CHARS;
  }

  async function fetchSession() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), SESSION_TIMEOUT_MS);
    try {
      const response = await fetch(config.sessionUrl, {
        method: "POST",
        credentials: "omit",
        headers: { Accept: "application/json" },
        signal: abort.signal,
      });
      if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
      const body = await response.json();
      const fresh = {
        token: body && body.token,
        expires_at: body && body.expires_at,
        max_message_chars: maxChars(body && body.max_message_chars),
      };
      if (!isUsable(fresh)) throw new Error("session: unusable answer");
      return fresh;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new session, trying again (with the banner up) until the server gives one. */
  async function newSession() {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30000)) {
      try {
        return await fetchSession();
      } catch {
        down = true;
        showBanner(false);
        await sleep(delay);
      }
    }
  }

  function start() {
    if (!starting) starting = connect();
    return starting;
  }

  async function connect() {
    if (!session || !isUsable(session)) {
      session = await newSession();
      if (messages.length) {
        messages = [];
        note(TEXT.renewed);
      }
      persist();
    }
    socket = io(config.server, {
      path: "/socket.io",
      transports: ["websocket"],
      auth: { token: session.token },
      autoConnect: false,
    });
    socket.on("connect", onConnect);
    socket.on("connect_error", onConnectError);
    socket.on("disconnect", onDisconnect);
    socket.on("session_expired", () => renew());
    socket.on("bot_uttered", onBotUttered);
    socket.on("turn_done", onTurnDone);
    socket.connect();
  }

  function onConnect() {
    connected = true;
    down = false;
    hideBanner();
    for (const resolve of connectWaiters) resolve();
    connectWaiters.clear();
  }

  function onConnectError(error) {
    connected = false;
    if (error && error.message === "session_invalid") {
      renew();
      return;
    }
    down = true;
    if (!renewing) showBanner(false);
    // socket.io retries a transport failure itself; a refusal by the server it does not.
    if (!socket.active) setTimeout(() => socket.connected || socket.active || renewing || socket.connect(), 3000);
  }

  function onDisconnect(reason) {
    connected = false;
    hideTyping();
    if (renewing) return;
    down = true;
    showBanner(false);
    if (reason === "io server disconnect") setTimeout(() => socket.connected || renewing || socket.connect(), 500);
  }

  /** The token is not accepted any more: a new session, a new conversation. */
  async function renew() {
    if (renewing) return;
    renewing = true;
    const typed = lastTyped;
    hideTyping();
    if (typed && !input.value) {
      input.value = typed;
      updateCounter();
    }
    // A server that keeps refusing fresh tokens is not asked again at once.
    const since = Date.now() - lastRenewal;
    if (since < 10000) await sleep(10000 - since);
    lastRenewal = Date.now();
    session = null;
    store.clear();
    const fresh = await newSession();
    session = fresh;
    clearReplies();
    const hadConversation = messages.length > 0;
    messages = [];
    if (hadConversation) note(TEXT.renewed);
    persist();
    socket.auth = { token: fresh.token };
    if (socket.connected) socket.disconnect();
    socket.connect();
    renewing = false;
  }

  function waitConnected(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        connectWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      connectWaiters.add(done);
    });
  }

  /** True once the message can go out now; else the banner says it was kept. */
  async function canSend() {
    if (socket && connected) return true;
    if (waiting) return false; // a send is already waiting for the first connection
    start();
    if (!down) {
      waiting = true;
      try {
        await waitConnected(FIRST_CONNECT_WAIT_MS);
      } finally {
        waiting = false;
      }
      if (socket && connected) return true;
    }
    showBanner(true);
    return false;
  }

  function deliver(payload, shown) {
    socket.emit("user_uttered", { message: payload });
    clearReplies();
    add({ from: "user", text: shown });
    pendingTurns += 1;
    lastTyped = null;
    showTyping();
  }

  /** One turn is over; the dots go once every message sent has had its answer. */
  function onTurnDone() {
    pendingTurns = Math.max(0, pendingTurns - 1);
    if (!pendingTurns) hideTyping();
  }

  function onBotUttered(data) {
    const message = botMessage(data);
    if (message) add(message);
  }

  async function pickReply(reply) {
    if (await canSend()) deliver(reply.payload, reply.title);
  }

  // ---- the form ----------------------------------------------------------------------
  function limit() {
    return session ? session.max_message_chars : DEFAULT_MAX_CHARS;
  }

  function updateCounter() {
    const count = charCount(input.value.trim());
    const max = limit();
    if (count >= Math.floor(max * 0.9)) {
      counter.textContent = `${fmt(count)} / ${fmt(max)} characters`;
      counter.hidden = false;
      counter.classList.toggle("wismo-counter-over", count > max);
    } else if (!counter.hidden) {
      counter.hidden = true;
      counter.textContent = ""; // aria-describedby would still read a hidden element's text
    }
    if (count <= max && hint.textContent) hint.textContent = "";
  }

  async function onSubmit(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    const count = charCount(text);
    const max = limit();
    if (count > max) {
      hint.textContent = `That message is too long: please keep it under ${fmt(max)} characters (it has ${fmt(count)}).`;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    hint.textContent = "";
    input.removeAttribute("aria-invalid");
    if (!(await canSend())) return;
    if (input.value.trim() === text) input.value = "";
    updateCounter();
    deliver(text, text);
    lastTyped = text;
  }

  form.addEventListener("submit", onSubmit);
  input.addEventListener("input", () => {
    updateCounter();
    if (!hint.textContent) input.removeAttribute("aria-invalid");
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit();
    else form.dispatchEvent(new Event("submit", { cancelable: true }));
  });
  humanButton.addEventListener("click", async () => {
    if (await canSend()) deliver(HUMAN.payload, HUMAN.title);
  });

  // ---- open and close ----------------------------------------------------------------
  function open(options) {
    const focus = !options || options.focus !== false;
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      root.classList.add("wismo-is-open");
      log.scrollTop = log.scrollHeight;
      start();
    }
    if (focus) input.focus();
  }

  function close() {
    if (!isOpen) return;
    const hadFocus = panel.contains(shadow.activeElement);
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("wismo-is-open");
    if (hadFocus) launcher.focus();
  }

  launcher.addEventListener("click", () => (isOpen ? close() : open()));
  closeButton.addEventListener("click", () => {
    close();
    launcher.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.isComposing) {
      event.stopPropagation();
      close();
      launcher.focus();
    }
  });

  // ---- start ---------------------------------------------------------------------------
  if (config.intro) log.append(messageRow("bot", config.intro, "wismo-msg-intro"));
  for (const message of messages) render(message);
  document.body.append(host);
  if (session && messages.length) start();
  if (config.open) open({ focus: false });

  return { open: () => open(), close, host };
}

function adoptCss(shadow, text) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    // Older browsers: a <style> element (a page's strict CSP may block this one).
    const style = document.createElement("style");
    style.textContent = text;
    shadow.append(style);
  }
}

function boot() {
  if (window.WismoWidget && window.WismoWidget.__wismo) return;
  let widget = null;
  let resolveReady;
  let rejectReady;
  const ready = new Promise((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const api = {
    __wismo: true,
    ready,
    open() {
      if (widget) widget.open();
      else ready.then(() => widget.open(), () => {});
    },
    close() {
      if (widget) widget.close();
      else ready.then(() => widget.close(), () => {});
    },
  };
  window.WismoWidget = api;
  const init = () => {
    try {
      widget = createWidget(readConfig(SCRIPT));
      resolveReady(api);
    } catch (error) {
      rejectReady(error);
      throw error;
    }
  };
  if (document.body) init();
  else document.addEventListener("DOMContentLoaded", init, { once: true });
}

boot();
