// The desk page: session from the token in the URL fragment, reader events over the WebSocket, one read at a
// time, the holder card and verdict, webcam face match, print receipt. No external script, no inline script.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  lang: localStorage.getItem("chipid.lang") || "vi",
  readers: [],
  job: null,        // id of the current read
  result: null,     // GET /api/v1/reads/{id} of the current read
  face: null,       // last face match
  stream: null,     // webcam MediaStream
  ws: null,
  seenFiles: [],
  formError: null,  // error codes shown, kept so that a language switch translates them too
  readError: null,
};
const EXPECTED_FILES = ["EF.CardAccess", "EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15"];
const HOLDER_FIELDS = ["full_name", "id_number", "date_of_birth", "sex", "nationality", "ethnicity", "religion",
  "place_of_origin", "place_of_residence", "identifying_marks", "date_of_issue", "date_of_expiry", "father",
  "mother", "spouse", "old_id_number", "document_number"];
const DATE_FIELDS = new Set(["date_of_birth", "date_of_issue", "date_of_expiry"]);

const t = (key) => I18N[state.lang][key] ?? I18N.en[key] ?? key;
const errText = (code, fallback = "read_error") => ("err_" + code in I18N.en ? t("err_" + code) : t("err_" + fallback));

// ------------------------------------------------------------------------------------------- language
function applyLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("chipid.lang", lang);
  document.documentElement.lang = lang;
  document.title = "chipid — " + t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const btn of document.querySelectorAll(".lang-btn")) btn.classList.toggle("active", btn.dataset.lang === lang);
  renderReaders();
  if (state.ttl) $("ttl").textContent = `${state.ttl} ${t("seconds")}`;
  if (state.result) renderResult(state.result);
  if (state.face) renderFace(state.face);
  $("form-error").textContent = state.formError ? errText(state.formError) : "";
  $("read-error").textContent = state.readError ? errText(state.readError) : "";
}

// ------------------------------------------------------------------------------------------- API
async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  let body = null;
  if ((response.headers.get("content-type") || "").includes("application/json")) body = await response.json();
  return { status: response.status, ok: response.ok, body };
}

async function login() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    history.replaceState(null, "", location.pathname);  // the token leaves the address bar at once
    const r = await api("/api/v1/session", { method: "POST", headers: { Authorization: "Bearer " + match[1] } });
    if (!r.ok) return false;
  }
  const probe = await api("/api/v1/readers");
  return probe.ok;
}

// ------------------------------------------------------------------------------------------- readers
function renderReaders() {
  const select = $("reader");
  const chosen = select.value;
  select.replaceChildren();
  for (const r of state.readers) {
    const option = document.createElement("option");
    option.value = r.name;
    option.textContent = r.name;
    select.append(option);
  }
  if (state.readers.some((r) => r.name === chosen)) select.value = chosen;
  else {
    const withCard = state.readers.find((r) => r.card_present);
    if (withCard) select.value = withCard.name;
  }
  const current = state.readers.find((r) => r.name === select.value);
  const pill = $("reader-state");
  if (!current) {
    pill.textContent = t("no_readers");
    pill.className = "pill off";
  } else {
    pill.textContent = current.busy ? t("busy") : current.card_present ? t("card_present") : t("no_card");
    pill.className = "pill " + (current.card_present ? "on" : "off");
  }
  $("prompt").classList.toggle("ready", Boolean(current && current.card_present));
  $("prompt-text").textContent = current && current.card_present ? t("card_ready") : t("place_card");
}

function onEvent(event) {
  if (event.type === "hello" || event.type === "readers") {
    state.readers = event.readers.map((r) => ({ busy: false, ...r, card_present: r.card_present ?? r.present }));
    renderReaders();
  } else if (event.type === "card") {
    const reader = state.readers.find((r) => r.name === event.reader);
    if (reader) reader.card_present = event.present;
    else state.readers.push({ name: event.reader, card_present: event.present, busy: false });
    renderReaders();
  } else if (event.job && event.job === state.job) {
    if (event.type === "progress") showProgress(event);
    else if (event.type === "done" || event.type === "failed") fetchResult(event.job);
  }
}

function connectEvents() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/api/v1/events`, ["chipid.v1"]);
  state.ws = ws;
  ws.onopen = () => { $("conn").textContent = t("conn_on"); $("conn").dataset.i18n = "conn_on"; $("conn").className = "pill on"; };
  ws.onmessage = (message) => onEvent(JSON.parse(message.data));
  ws.onclose = () => {
    $("conn").dataset.i18n = "conn_off";
    $("conn").textContent = t("conn_off");
    $("conn").className = "pill off";
    setTimeout(connectEvents, 2000);
  };
}

// ------------------------------------------------------------------------------------------- read
function keyFromForm() {
  if (!$("can-fields").classList.contains("hidden")) return { can: $("can").value.trim() };
  const id = $("mrz-id").value.trim().toUpperCase();
  const yymmdd = (value) => value.replaceAll("-", "").slice(2);
  const mrz = { date_of_birth: yymmdd($("mrz-dob").value), date_of_expiry: yymmdd($("mrz-doe").value) };
  if (/^\d{12}$/.test(id)) mrz.id_number = id; else mrz.document_number = id;
  return { mrz };
}

async function startRead(event) {
  event.preventDefault();
  state.formError = state.readError = null;
  $("form-error").textContent = "";
  $("read-error").classList.add("hidden");
  const body = { ...keyFromForm() };
  if ($("reader").value) body.reader = $("reader").value;
  $("read-btn").disabled = true;
  state.seenFiles = [];
  const r = await api("/api/v1/reads", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  if (r.status !== 202) {
    $("read-btn").disabled = false;
    state.formError = (r.body && r.body.error) || "read_error";
    $("form-error").textContent = errText(state.formError);
    return;
  }
  state.job = r.body.id;
  $("can").value = "";  // the key is not kept on the page
  $("start").classList.add("hidden");
  $("progress-panel").classList.remove("hidden");
  showProgress(null);
  // the read may already be over (a fast card): ask once, events do the rest
  const now = await api(`/api/v1/reads/${state.job}`);
  if (now.ok && now.body.state !== "running") fetchResult(state.job);
}

function showProgress(event) {
  let fraction = 0;
  if (event) {
    if (!state.seenFiles.includes(event.file)) state.seenFiles.push(event.file);
    const files = Math.max(EXPECTED_FILES.length, state.seenFiles.length);
    const whole = state.seenFiles.length - 1 + (event.total ? event.done / event.total : 0);
    fraction = Math.min(0.97, whole / files);
    $("progress-file").textContent = event.file;
  } else {
    $("progress-file").textContent = "";
  }
  $("progress-bar").style.width = `${Math.round(fraction * 100)}%`;
}

async function fetchResult(id) {
  const r = await api(`/api/v1/reads/${id}`);
  if (id !== state.job) return;
  $("progress-bar").style.width = "100%";
  $("progress-panel").classList.add("hidden");
  if (!r.ok || r.body.state === "failed") {
    const code = r.ok ? r.body.error.code : r.body && r.body.error;
    state.readError = code || "read_error";
    $("read-error").textContent = errText(state.readError);
    $("read-error").classList.remove("hidden");
    resetToStart(false);
    return;
  }
  state.result = r.body;
  renderResult(r.body);
  $("result").classList.remove("hidden");
}

// ------------------------------------------------------------------------------------------- result
function renderResult(job) {
  const report = job.result.report;
  const verdict = report.verdict;
  $("verdict").className = "verdict " + verdict.toLowerCase();
  $("verdict").dataset.verdict = verdict;
  $("verdict-text").textContent = t(verdict);
  $("verdict-reason").textContent = t("verdict_help_" + verdict);

  const list = $("checks");
  list.replaceChildren();
  for (const check of report.checks) {
    const li = document.createElement("li");
    const shown = check.status === "FAILED" && !check.required ? "WARN" : check.status;
    li.className = "check " + shown.toLowerCase();
    const head = document.createElement("span");
    head.className = "check-name";
    head.textContent = `${t("status_" + shown)} · ${checkName(state.lang, check.name)}`;
    const reason = document.createElement("span");
    reason.className = "check-reason";
    reason.textContent = check.reason;
    li.append(head, reason);
    list.append(li);
  }
  if (verdict !== "GENUINE") $("reasons").open = true;

  const holder = job.result.document.holder || {};
  const dl = $("holder-fields");
  dl.replaceChildren();
  const add = (key, value) => {
    if (value === null || value === undefined || value === "") return;
    const dt = document.createElement("dt");
    dt.textContent = t("f_" + key);
    const dd = document.createElement("dd");
    dd.dataset.field = key;
    dd.textContent = value;
    dl.append(dt, dd);
  };
  for (const key of HOLDER_FIELDS) {
    let value = holder[key];
    if (DATE_FIELDS.has(key)) value = formatDate(state.lang, value);
    if (key === "sex") value = formatSex(state.lang, value);
    add(key, value);
  }
  add("protocol", job.result.protocol);
  const img = $("portrait");
  if (job.portrait_url) {
    if (img.dataset.src !== job.portrait_url) { img.src = job.portrait_url; img.dataset.src = job.portrait_url; }
    img.alt = holder.full_name || "";
    img.classList.remove("hidden");
  } else {
    img.classList.add("hidden");
  }
  $("face-panel").classList.toggle("hidden", !job.portrait_url);
  $("printed-at").textContent = new Date().toLocaleString(state.lang === "vi" ? "vi-VN" : "en-GB");
}

// ------------------------------------------------------------------------------------------- face
async function startCamera() {
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    const video = $("video");
    video.onplaying = () => { video.dataset.playing = "true"; $("capture-btn").disabled = false; };
    video.srcObject = state.stream;
  } catch (err) {
    $("face-result").textContent = t("err_camera");
  }
}

function stopCamera() {
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  $("video").srcObject = null;
  delete $("video").dataset.playing;
  $("capture-btn").disabled = true;
}

async function captureAndCompare() {
  const video = $("video");
  const canvas = $("snapshot");
  canvas.width = video.videoWidth || 640;
  canvas.height = video.videoHeight || 480;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
  $("face-result").className = "face-result";
  $("face-result").textContent = t("comparing");
  $("capture-btn").disabled = true;
  const r = await api(`/api/v1/reads/${state.job}/face`, {
    method: "POST", headers: { "Content-Type": "image/jpeg" }, body: blob,
  });
  $("capture-btn").disabled = false;
  state.face = r.ok ? r.body : { error: (r.body && r.body.error) || "FaceImageError" };
  renderFace(state.face);
}

function renderFace(face) {
  const out = $("face-result");
  if (face.error) {
    out.className = "face-result bad";
    out.dataset.outcome = "error";
    out.textContent = errText(face.error, "FaceImageError");
    $("face-receipt").textContent = "";
    return;
  }
  const words = face.same_person ? t("same_person") : t("different_person");
  out.className = "face-result " + (face.same_person ? "good" : "bad");
  out.dataset.outcome = face.same_person ? "same" : "different";
  out.textContent = `${words} (${t("face_score")} ${face.score.toFixed(3)}, ${t("face_threshold")} ${face.threshold.toFixed(3)})`;
  $("face-receipt").textContent = `${t("face_title")}: ${out.textContent}`;
}

// ------------------------------------------------------------------------------------------- reset
function resetToStart(wipe) {
  if (wipe && state.job) api(`/api/v1/reads/${state.job}`, { method: "DELETE" });
  stopCamera();
  state.job = null;
  state.result = null;
  state.face = null;
  $("face-result").textContent = "";
  $("face-receipt").textContent = "";
  $("result").classList.add("hidden");
  $("progress-panel").classList.add("hidden");
  $("start").classList.remove("hidden");
  $("read-btn").disabled = false;
  const img = $("portrait");
  img.removeAttribute("src");
  delete img.dataset.src;
}

function selectTab(mrz) {
  $("tab-can").classList.toggle("active", !mrz);
  $("tab-mrz").classList.toggle("active", mrz);
  $("can-fields").classList.toggle("hidden", mrz);
  $("mrz-fields").classList.toggle("hidden", !mrz);
}

// ------------------------------------------------------------------------------------------- start
async function main() {
  for (const btn of document.querySelectorAll(".lang-btn")) btn.addEventListener("click", () => applyLanguage(btn.dataset.lang));
  $("tab-can").addEventListener("click", () => selectTab(false));
  $("tab-mrz").addEventListener("click", () => selectTab(true));
  $("key-form").addEventListener("submit", startRead);
  $("reader").addEventListener("change", renderReaders);
  $("camera-btn").addEventListener("click", startCamera);
  $("capture-btn").addEventListener("click", captureAndCompare);
  $("print-btn").addEventListener("click", () => window.print());
  $("new-btn").addEventListener("click", () => resetToStart(true));
  applyLanguage(state.lang);
  if (!(await login())) {
    $("login").classList.remove("hidden");
    $("start").classList.add("hidden");
    return;
  }
  const health = await api("/api/v1/health");
  if (health.ok) {
    document.body.dataset.mode = health.body.mode;
    state.ttl = health.body.ttl_s;
    $("ttl").textContent = `${state.ttl} ${t("seconds")}`;
  }
  connectEvents();
  document.body.dataset.ready = "true";
}

main();
