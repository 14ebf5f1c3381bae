// The widget's settings, read from its own <script> tag's data attributes.

export const DEFAULTS = {
  title: "Order help",
  intro: "Hi! I can tell you where your order is. What's your order number?",
  color: "#1f5135",
  textColor: "#ffffff",
};

function origin(url) {
  try {
    return new URL(url, location.href).origin;
  } catch {
    return null;
  }
}

function color(value, fallback) {
  if (!value) return fallback;
  const ok = typeof CSS !== "undefined" && CSS.supports ? CSS.supports("color", value) : false;
  return ok ? value : fallback;
}

export function readConfig(script) {
  const data = (script && script.dataset) || {};
  const src = script && script.src ? script.src : null;
  const scriptOrigin = (src && origin(src)) || location.origin;
  let sessionUrl = `${scriptOrigin}/widget/session`;
  if (data.sessionUrl) {
    try {
      sessionUrl = new URL(data.sessionUrl, src || location.href).href;
    } catch {
      /* keep the default */
    }
  }
  return {
    server: (data.server && origin(data.server)) || location.origin,
    sessionUrl,
    title: data.title || DEFAULTS.title,
    intro: data.intro !== undefined ? data.intro : DEFAULTS.intro,
    color: color(data.color, DEFAULTS.color),
    textColor: color(data.textColor, DEFAULTS.textColor),
    storage: data.storage === "local" ? "local" : "session",
    open: data.open === "true",
  };
}
