// The pieces of the conversation log. Everything here is built with h(), so a field
// holding markup shows as its literal characters.

import { h, safeHttpUrl, srOnly, str } from "./dom.js";

const SPEAKER = { bot: "Assistant:", user: "You:" };

/** One message: a row (with the speaker for screen readers) holding `.wismo-msg`. */
export function messageRow(from, text, extraClass) {
  const bubble = h("div", { class: `wismo-msg wismo-msg-${from}${extraClass ? ` ${extraClass}` : ""}` }, text);
  return h("div", { class: `wismo-row wismo-row-${from}` }, srOnly(SPEAKER[from]), bubble);
}

/** A line about the conversation itself ("This is a new conversation."). */
export function noteRow(text) {
  return h("div", { class: "wismo-row wismo-row-note" }, h("p", { class: "wismo-note" }, text));
}

/** Quick replies / buttons: real buttons; `onPick(reply)` is called with {title, payload}. */
export function repliesRow(replies, onPick) {
  const group = h("div", { class: "wismo-replies", role: "group", "aria-label": "Suggested replies" });
  for (const reply of replies) {
    const button = h("button", { type: "button", class: "wismo-reply" }, reply.title);
    button.addEventListener("click", () => onPick(reply, group));
    group.append(button);
  }
  return h("div", { class: "wismo-row wismo-row-replies" }, group);
}

/** The three dots shown while the assistant is working on a turn. */
export function typingRow() {
  return h(
    "div",
    { class: "wismo-row wismo-row-typing wismo-typing" },
    srOnly("The assistant is typing"),
    h("span", { class: "wismo-dot", "aria-hidden": "true" }),
    h("span", { class: "wismo-dot", "aria-hidden": "true" }),
    h("span", { class: "wismo-dot", "aria-hidden": "true" }),
  );
}

/** The replies of a bot message, from `quick_replies` or `buttons`, or []. */
export function repliesOf(data) {
  const list = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
  const replies = [];
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const title = str(item.title);
    const payload = str(item.payload) || title;
    if (title && payload) replies.push({ title, payload });
  }
  return replies.slice(0, 10);
}

/** What a `bot_uttered` payload shows, as a stored message, or null (ignored). */
export function botMessage(data) {
  if (!data || typeof data !== "object") return null;
  const custom = data.custom;
  if (custom && typeof custom === "object" && custom.type === "shipment_card") {
    return { from: "bot", card: custom };
  }
  const text = typeof data.text === "string" ? data.text : null;
  const replies = repliesOf(data);
  if (!(text && text.trim()) && !replies.length) return null;
  const message = { from: "bot", text: text && text.trim() ? text : "" };
  if (replies.length) message.replies = replies;
  return message;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]+)?$/;

function timeEl(datetime, label, className) {
  const attrs = { class: className };
  if (typeof datetime === "string" && DATE_RE.test(datetime)) attrs.datetime = datetime;
  return h("time", attrs, label);
}

/** A shipment card: one parcel's status, carrier, estimate, last events and link. */
export function shipmentCard(card) {
  const title = str(card.title) || "Your parcel";
  const status = str(card.status);
  const statusLabel = str(card.status_label) || status;
  const carrier = str(card.carrier);
  const tracking = str(card.tracking_number);
  const estimate = str(card.estimate);
  const estimateLabel = str(card.estimate_label) || estimate;
  const url = safeHttpUrl(card.tracking_url);

  const el = h("div", {
    class: "wismo-msg wismo-msg-bot wismo-card",
    "data-status": status,
  });
  el.append(h("h3", { class: "wismo-card-title" }, title));
  if (statusLabel) {
    el.append(h("p", { class: "wismo-card-status", "data-status": status }, statusLabel));
  }
  if (carrier || tracking) {
    const line = h("p", { class: "wismo-card-carrier" });
    if (carrier) line.append(h("span", { class: "wismo-card-carrier-name" }, carrier));
    if (carrier && tracking) line.append(" · ");
    if (tracking) {
      line.append(srOnly("Tracking number "), h("span", { class: "wismo-card-tracking" }, tracking));
    }
    el.append(line);
  }
  if (estimateLabel) {
    el.append(
      h(
        "p",
        { class: "wismo-card-estimate" },
        "Estimated delivery: ",
        timeEl(estimate, estimateLabel, "wismo-card-estimate-date"),
      ),
    );
  }
  const events = Array.isArray(card.events) ? card.events.filter((e) => e && typeof e === "object") : [];
  if (events.length) {
    const list = h("ol", { class: "wismo-card-events", "aria-label": "Latest tracking events" });
    for (const event of events.slice(0, 3)) {
      const parts = [];
      const when = str(event.time_label) || str(event.time);
      if (when) parts.push(timeEl(event.time, when, "wismo-card-event-time"));
      const place = str(event.place);
      if (place) parts.push(h("span", { class: "wismo-card-event-place" }, place));
      const description = str(event.description);
      if (description) parts.push(h("span", { class: "wismo-card-event-description" }, description));
      if (!parts.length) continue;
      const item = h("li", { class: "wismo-card-event" });
      parts.forEach((part, i) => item.append(...(i ? [" — ", part] : [part])));
      list.append(item);
    }
    if (list.childElementCount) el.append(list);
  }
  if (url) {
    el.append(
      h(
        "a",
        { class: "wismo-card-link", href: url, target: "_blank", rel: "noopener noreferrer" },
        carrier ? `Track on ${carrier}` : "Track this parcel",
      ),
    );
  }
  return h("div", { class: "wismo-row wismo-row-bot wismo-row-card" }, srOnly(SPEAKER.bot), el);
}
