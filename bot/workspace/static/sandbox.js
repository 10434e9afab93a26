// The sandbox panel: the simulated Twilio account behind the bot, through the sandbox's own
// admin routes (/sandbox/_sim/…): pause it, run its next step or one request's, sign a
// request's LOA, have the carrier reject a number, port a number away from the account,
// make Twilio's API fail for a while; and
// the desk's digest on demand (through the workspace: the bot queues it).

import { h } from "./blockkit.js";
import { post, toast } from "./net.js";

const REJECTIONS = {
  22150: "Contact support required", 22151: "Carrier restriction", 22152: "Inactive or disconnected",
  22153: "Invalid end-user name", 22154: "Invalid address", 22155: "Invalid PIN",
  22156: "Invalid account number", 22158: "Port date rejected", 22159: "Not portable",
};
const SIGNABLE = "Waiting for Signature";
const REJECTABLE = new Set(["Port Submitted", "Port Pending"]);
const STEPS = {
  review_done: "Twilio finishes its review", auto_sign: "the LOA signs itself",
  loa_expiry: "the LOA expires", carrier_response: "the carrier answers",
  port: "the numbers port", cancel_done: "the cancel completes",
};

// How long until a step: "in 0:42" for a few minutes, else its date ("Mon, Dec 14 (in 7 days)").
export function until(dueIso, nowIso) {
  const due = new Date(dueIso);
  const seconds = Math.max(0, Math.round((due - new Date(nowIso)) / 1000));
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const midnight = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((midnight(due) - midnight(new Date(nowIso))) / 86400000); // calendar days
  const when = due.toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric" });
  if (days < 1) return `at ${due.toLocaleTimeString()}`;
  return `on ${when} (${days === 1 ? "tomorrow" : `in ${days} days`})`;
}

export class SandboxPanel {
  constructor(root, link) {
    this.root = root;
    this.link = link; // { prefix, authorization }
    this.timer = null;
    this.open = false;
    this.busy = false;
  }

  async call(method, path, body) {
    const r = await fetch(`${this.link.prefix}/_sim${path}`, {
      method,
      headers: { Authorization: this.link.authorization, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status === 204) return null;
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(answer.message || `HTTP ${r.status}`);
    return answer;
  }

  toggle(force) {
    this.open = force ?? !this.open;
    this.root.hidden = !this.open;
    clearInterval(this.timer);
    if (this.open) {
      this.refresh();
      this.timer = setInterval(() => this.refresh(), 1000);
    }
  }

  async act(what, work) {
    try {
      await work();
      toast(what);
    } catch (error) {
      toast(`${what} failed: ${error.message}`);
    }
    await this.refresh();
  }

  async advance(body, label) {
    await this.act(`Sandbox clock: ${label}`, () => this.call("POST", "/advance", body));
  }

  async nextStep(clock) {
    if (!clock.next) return toast("Nothing is scheduled in the sandbox: it waits for someone to act.");
    await this.act(`Next step: ${STEPS[clock.next.kind] || clock.next.kind}`, () => this.call("POST", "/step"));
  }

  async sendDigest() {
    try {
      const answer = await post("/ui/digest");
      toast(answer.channels ? "Digest queued: it shows in the channel in a moment" : "No channel has a request thread yet: nothing to digest.");
    } catch (error) {
      toast(`Send digest now failed: ${error.message}`);
    }
  }

  // Relative to the sandbox's now (frozen at the pause while paused).
  at(clock) {
    return clock.paused_at || clock.now;
  }

  clockSection(clock) {
    const now = new Date(clock.now);
    const person = clock.pace === "person";
    const state = clock.paused ? "paused" : person ? "today's calendar, steps seconds apart" : clock.running ? `runs ${Math.round(clock.speed)}× real time` : "stopped";
    const next = clock.next
      ? h("div", { class: "sandbox-small sandbox-next" }, `Next: ${STEPS[clock.next.kind] || clock.next.kind} (${clock.next.request_sid.slice(0, 10)}…) ${until(clock.next.due, this.at(clock))}${clock.paused ? " · paused" : ""}`)
      : h("div", { class: "sandbox-small" }, "Nothing scheduled: waiting for someone to act");
    const buttons = [
      clock.paused
        ? h("button", { type: "button", class: "bk-button bk-button-primary", onclick: () => this.act("Sandbox resumed", () => this.call("POST", "/resume")) }, "Resume")
        : h("button", { type: "button", class: "bk-button", onclick: () => this.act("Sandbox paused", () => this.call("POST", "/pause")) }, "Pause"),
      h("button", { type: "button", class: "bk-button", onclick: () => this.nextStep(clock) }, "Next step"),
    ];
    if (!person) {
      buttons.push(
        h("button", { type: "button", class: "bk-button", onclick: () => this.advance({ hours: 1 }, "+1 hour") }, "+1 hour"),
        h("button", { type: "button", class: "bk-button", onclick: () => this.advance({ days: 1 }, "+1 day") }, "+1 day"),
        h("button", { type: "button", class: "bk-button", onclick: () => this.act("Sandbox: ran every step", () => this.call("POST", "/settle")) }, "Run to the end"));
    }
    return h("section", { class: "sandbox-section" },
      h("div", { class: "sandbox-title" }, "Clock"),
      h("div", { class: "sandbox-clock" }, `${now.toLocaleString()} · ${state}`),
      next,
      h("div", { class: "sandbox-buttons" }, buttons));
  }

  async refresh() {
    if (this.busy || !this.open) return;
    this.busy = true;
    try {
      const [clock, listing, inventory] = await Promise.all([
        this.call("GET", "/clock"), this.call("GET", "/requests"), this.call("GET", "/inventory"),
      ]);
      this.draw(clock, listing.requests, inventory);
    } catch (error) {
      this.root.replaceChildren(h("div", { class: "sandbox-error" }, `The sandbox does not answer: ${error.message}`));
    } finally {
      this.busy = false;
    }
  }

  draw(clock, requests, inventory) {
    const focus = document.activeElement?.closest?.(".sandbox") ? document.activeElement.dataset.keep : null;
    const kept = {};
    for (const input of this.root.querySelectorAll("[data-keep]")) kept[input.dataset.keep] = input.value;
    const faultStatus = h("select", { "data-keep": "fault-status", "aria-label": "Fault status" },
      ["500", "503", "429", "400"].map((s) => h("option", { value: s }, s)));
    const faultCount = h("input", { type: "number", min: 1, value: "3", "data-keep": "fault-count", "aria-label": "How many calls fail", class: "short" });
    const faultMatch = h("input", { type: "text", placeholder: "path contains (optional)", "data-keep": "fault-match", "aria-label": "Only calls whose path contains" });
    const panel = h("div", { class: "sandbox-panel" },
      h("div", { class: "sandbox-head" }, h("b", {}, "🧪 Twilio sandbox"),
        h("button", { type: "button", class: "link-button", "aria-label": "Close the sandbox panel", onclick: () => this.toggle(false) }, "✕")),
      this.clockSection(clock),
      h("section", { class: "sandbox-section" },
        h("div", { class: "sandbox-title" }, `Port-in requests (${requests.length})`),
        requests.length ? requests.map((r) => this.request(r, clock)) : h("div", { class: "sandbox-small" }, "None yet: file one with /port-in.")),
      h("section", { class: "sandbox-section" },
        h("div", { class: "sandbox-title" }, "Desk"),
        h("div", { class: "sandbox-small" }, "The daily digest goes out once a day; see it now:"),
        h("div", { class: "sandbox-buttons" },
          h("button", { type: "button", class: "bk-button", onclick: () => this.sendDigest() }, "Send digest now"))),
      this.account(inventory),
      h("section", { class: "sandbox-section" },
        h("div", { class: "sandbox-title" }, "Make Twilio fail"),
        h("div", { class: "sandbox-small" }, "The next calls to Twilio's API answer this error."),
        h("div", { class: "sandbox-fault" }, faultCount, " calls answer ", faultStatus, faultMatch),
        h("div", { class: "sandbox-buttons" },
          h("button", { type: "button", class: "bk-button", onclick: () => this.act("Fault injected", () => this.call("POST", "/faults", {
            count: Number(faultCount.value || 1), status: Number(faultStatus.value), match: faultMatch.value || null,
            retry_after: faultStatus.value === "429" ? 1 : null,
          })) }, "Inject fault"),
          h("button", { type: "button", class: "bk-button", onclick: () => this.act("Faults cleared", () => this.call("DELETE", "/faults")) }, "Clear faults"))));
    for (const input of panel.querySelectorAll("[data-keep]")) if (input.dataset.keep in kept) input.value = kept[input.dataset.keep];
    this.root.replaceChildren(panel);
    if (focus) this.root.querySelector(`[data-keep="${focus}"]`)?.focus();
  }

  // The account's numbers (they arrive as ports complete); "Port away" makes one leave, as a
  // port-out nobody here asked for would: the bot's next inventory sweep announces it.
  account(inventory) {
    const numbers = inventory?.numbers || [];
    return h("section", { class: "sandbox-section" },
      h("div", { class: "sandbox-title" }, `Numbers in the account (${inventory?.count ?? 0})`),
      numbers.length
        ? h("ul", { class: "sandbox-numbers" }, numbers.slice(-50).map((n) => h("li", {},
          h("span", {}, n.phone_number),
          h("button", { type: "button", class: "link-button", "aria-label": `Port ${n.phone_number} away`, onclick: () => this.act(`${n.phone_number} ported away`, () => this.call("POST", `/numbers/${encodeURIComponent(n.phone_number)}/port-away`)) }, "Port away"))))
        : h("div", { class: "sandbox-small" }, "None yet: numbers arrive as their ports complete."));
  }

  nextOf(r, clock) {
    const sid = r.port_in_request_sid;
    const next = r.sim_next;
    if (!next) return null;
    return h("div", { class: "sandbox-request-next" },
      h("span", { class: "sandbox-small" }, `Next: ${STEPS[next.kind] || next.kind} ${until(next.due, this.at(clock))}`),
      h("button", { type: "button", class: "link-button", "aria-label": `Fast-forward ${sid}`, title: "Run this request's next step now (the calendar stays today's)",
        onclick: () => this.act(`Fast-forward: ${STEPS[next.kind] || next.kind}`, () => this.call("POST", `/requests/${sid}/fast-forward`)) }, "⏩ Fast-forward"));
  }

  request(r, clock) {
    const sid = r.port_in_request_sid;
    const status = r.port_in_request_status;
    const numbers = r.phone_numbers || [];
    // Only numbers the carrier has (submitted, or pending with a date) can be rejected.
    const rejectable = numbers.some((n) => REJECTABLE.has(n.port_in_phone_number_status));
    const codes = h("select", { "data-keep": `code-${sid}`, "aria-label": "Rejection code" },
      Object.entries(REJECTIONS).map(([code, name]) => h("option", { value: code }, `${code} ${name}`)));
    return h("div", { class: "sandbox-request", dataset: { sid } },
      h("div", { class: "sandbox-request-head" }, h("code", {}, `${sid.slice(0, 10)}…`), h("span", { class: "pill" }, status)),
      h("div", { class: "sandbox-small" }, r.losing_carrier_information?.customer_name || ""),
      this.nextOf(r, clock),
      status === SIGNABLE ? h("button", { type: "button", class: "bk-button bk-button-primary", onclick: () => this.act("LOA signed", () => this.call("POST", `/requests/${sid}/sign`)) }, "Sign LOA") : null,
      rejectable ? h("div", { class: "sandbox-reject" }, "Reject with ", codes) : null,
      h("ul", { class: "sandbox-numbers" }, numbers.slice(0, 50).map((n) => h("li", {},
        h("span", {}, n.phone_number), h("span", { class: "pill" }, n.port_in_phone_number_status),
        REJECTABLE.has(n.port_in_phone_number_status)
          ? h("button", { type: "button", class: "link-button", "aria-label": `Reject ${n.phone_number}`, onclick: () => this.act(`${n.phone_number} rejected`, () => this.call("POST", `/requests/${sid}/numbers/${encodeURIComponent(n.phone_number)}/reject`, { code: Number(codes.value) })) }, "Reject")
          : null))),
      numbers.length > 50 ? h("div", { class: "sandbox-small" }, `…and ${numbers.length - 50} more`) : null);
  }
}
