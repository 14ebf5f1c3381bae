// The support console's pages: the queue refreshes itself, a conversation shows new
// lines as they come, and a reply is sent without leaving the page. Text is always set
// with textContent: nothing a shopper wrote becomes markup.
"use strict";

const QUEUE_EVERY_MS = 3000;
const LINES_EVERY_MS = 1500;
// The page's own refreshes say so: they do not keep an idle session alive.
const REFRESH = { credentials: "same-origin", headers: { "X-Console-Refresh": "1" } };

function csrf() {
  const meta = document.querySelector('meta[name="csrf"]');
  return meta ? meta.content : "";
}

function refreshQueue() {
  const queue = document.getElementById("queue");
  if (!queue) return;
  let shown = "";
  const tick = async () => {
    try {
      const answer = await fetch("/console/queue.json", REFRESH);
      if (answer.status === 401) { location.reload(); return; }
      if (!answer.ok) return;
      const data = await answer.json();
      const now = JSON.stringify([data.waiting.map((t) => [t.reference, t.contact, t.overdue]),
        data.mine.map((t) => t.reference)]);
      if (shown && now !== shown) await redraw();
      shown = now;
    } catch (error) { /* the next tick tries again */ }
  };
  tick();
  setInterval(tick, QUEUE_EVERY_MS);
}

async function redraw() {
  const answer = await fetch(location.pathname, REFRESH);
  if (!answer.ok) return;
  const page = new DOMParser().parseFromString(await answer.text(), "text/html");
  for (const id of ["queue", "mine", "waiting-count"]) {
    const fresh = page.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceChildren(...Array.from(fresh.childNodes, (n) => document.importNode(n, true)));
  }
}

function lineItem(line) {
  const item = document.createElement("li");
  item.className = "line " + line.speaker;
  const who = document.createElement("span");
  who.className = "speaker";
  who.textContent = line.speaker === "agent" ? line.agent : line.speaker;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = line.text;
  item.append(who, " ", text);
  return item;
}

function followConversation() {
  const pageEl = document.querySelector(".ticket-page");
  if (!pageEl) return;
  const transcript = document.getElementById("transcript");
  let count = Number(pageEl.dataset.count || 0);
  transcript.scrollTop = transcript.scrollHeight; // the latest lines in view
  const pollOnce = async () => {
    try {
      const answer = await fetch(pageEl.dataset.lines + "?after=" + count, REFRESH);
      if (answer.status === 401) { location.reload(); return; }
      if (!answer.ok) return;
      const data = await answer.json();
      // New lines stay in view, unless the person scrolled up to read.
      const atEnd = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 48;
      for (const line of data.lines) transcript.append(lineItem(line));
      if (atEnd) transcript.scrollTop = transcript.scrollHeight;
      count = data.count;
      const ticket = data.ticket;
      document.getElementById("state").textContent = ticket.state + (ticket.agent ? " · " + ticket.agent : "");
      const form = document.getElementById("reply");
      if (form && ticket.state !== "taken") form.querySelector("button").disabled = true;
    } catch (error) { /* the next poll tries again */ }
  };
  // One poll at a time, each after the last: two at once (the timer's and the one after
  // Send) would both fetch the lines after the same count and show them twice.
  let polling = Promise.resolve();
  let waiting = 0;
  const poll = () => {
    waiting += 1;
    polling = polling.then(pollOnce).finally(() => { waiting -= 1; });
    return polling;
  };
  setInterval(() => { if (waiting === 0) poll(); }, LINES_EVERY_MS);
  const form = document.getElementById("reply");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = document.getElementById("reply-text");
    const problem = document.getElementById("reply-error");
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const answer = await fetch(pageEl.dataset.reply, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ text: box.value }),
      });
      const data = await answer.json().catch(() => ({}));
      if (answer.ok) {
        box.value = "";
        problem.hidden = true;
        await poll();
      } else {
        problem.textContent = data.error || "Not sent: please try again.";
        problem.hidden = false;
      }
    } catch (error) {
      problem.textContent = "Not sent: the console lost its connection. Please try again.";
      problem.hidden = false;
    } finally {
      button.disabled = false;
      box.focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  refreshQueue();
  followConversation();
});
