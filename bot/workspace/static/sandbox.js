// The sandbox panel: the simulated Twilio account behind the bot, through the sandbox's own
// admin routes (/sandbox/_sim/…): move its clock, sign a request's LOA, have the carrier
// reject a number, port a number away from the account, make Twilio's API fail for a while.

import { h } from "./blockkit.js";
import { toast } from "./net.js";

const REJECTIONS = {
  22150: "Contact support required", 22151: "Carrier restriction", 22152: "Inactive or disconnected",
  22153: "Invalid end-user name", 22154: "Invalid address", 22155: "Invalid PIN",
  22156: "Invalid account number", 22158: "Port date rejected", 22159: "Not portable",
};
const SIGNABLE = "Waiting for Signature";
const REJECTABLE = new Set(["Port Submitted", "Port Pending"]);

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
    if (!clock.next_due) return toast("Nothing is scheduled in the sandbox.");
    const seconds = Math.max(1, (Date.parse(clock.next_due) - Date.parse(clock.now)) / 1000);
    await this.advance({ seconds }, "to the next scheduled step");
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
    const now = new Date(clock.now);
    const faultStatus = h("select", { "data-keep": "fault-status", "aria-label": "Fault status" },
      ["500", "503", "429", "400"].map((s) => h("option", { value: s }, s)));
    const faultCount = h("input", { type: "number", min: 1, value: "3", "data-keep": "fault-count", "aria-label": "How many calls fail", class: "short" });
    const faultMatch = h("input", { type: "text", placeholder: "path contains (optional)", "data-keep": "fault-match", "aria-label": "Only calls whose path contains" });
    const panel = h("div", { class: "sandbox-panel" },
      h("div", { class: "sandbox-head" }, h("b", {}, "🧪 Twilio sandbox"),
        h("button", { type: "button", class: "link-button", "aria-label": "Close the sandbox panel", onclick: () => this.toggle(false) }, "✕")),
      h("section", { class: "sandbox-section" },
        h("div", { class: "sandbox-title" }, "Clock"),
        h("div", { class: "sandbox-clock" }, `${now.toLocaleString()} · ${clock.running ? `runs ${Math.round(clock.speed)}× real time` : "stopped"}`),
        clock.next_due ? h("div", { class: "sandbox-small" }, `Next step: ${new Date(clock.next_due).toLocaleString()}`) : h("div", { class: "sandbox-small" }, "Nothing scheduled"),
        h("div", { class: "sandbox-buttons" },
          h("button", { type: "button", class: "bk-button", onclick: () => this.nextStep(clock) }, "Next step"),
          h("button", { type: "button", class: "bk-button", onclick: () => this.advance({ hours: 1 }, "+1 hour") }, "+1 hour"),
          h("button", { type: "button", class: "bk-button", onclick: () => this.advance({ days: 1 }, "+1 day") }, "+1 day"),
          h("button", { type: "button", class: "bk-button", onclick: () => this.act("Sandbox: ran every step", () => this.call("POST", "/settle")) }, "Run to the end"))),
      h("section", { class: "sandbox-section" },
        h("div", { class: "sandbox-title" }, `Port-in requests (${requests.length})`),
        requests.length ? requests.map((r) => this.request(r)) : h("div", { class: "sandbox-small" }, "None yet: file one with /port-in.")),
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

  request(r) {
    const sid = r.port_in_request_sid;
    const status = r.port_in_request_status;
    const numbers = r.phone_numbers || [];
    const codes = h("select", { "data-keep": `code-${sid}`, "aria-label": "Rejection code" },
      Object.entries(REJECTIONS).map(([code, name]) => h("option", { value: code }, `${code} ${name}`)));
    return h("div", { class: "sandbox-request", dataset: { sid } },
      h("div", { class: "sandbox-request-head" }, h("code", {}, `${sid.slice(0, 10)}…`), h("span", { class: "pill" }, status)),
      h("div", { class: "sandbox-small" }, r.losing_carrier_information?.customer_name || ""),
      status === SIGNABLE ? h("button", { type: "button", class: "bk-button bk-button-primary", onclick: () => this.act("LOA signed", () => this.call("POST", `/requests/${sid}/sign`)) }, "Sign LOA") : null,
      h("div", { class: "sandbox-reject" }, "Reject with ", codes),
      h("ul", { class: "sandbox-numbers" }, numbers.slice(0, 50).map((n) => h("li", {},
        h("span", {}, n.phone_number), h("span", { class: "pill" }, n.port_in_phone_number_status),
        REJECTABLE.has(n.port_in_phone_number_status)
          ? h("button", { type: "button", class: "link-button", "aria-label": `Reject ${n.phone_number}`, onclick: () => this.act(`${n.phone_number} rejected`, () => this.call("POST", `/requests/${sid}/numbers/${encodeURIComponent(n.phone_number)}/reject`, { code: Number(codes.value) })) }, "Reject")
          : null))),
      numbers.length > 50 ? h("div", { class: "sandbox-small" }, `…and ${numbers.length - 50} more`) : null);
  }
}
