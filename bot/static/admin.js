/* The admin page: sign-in, documents (upload, level, metadata, re-ingest, delete), questions to
 * review, approved answers. Every text from the server (titles, questions) is inserted as text,
 * never as HTML. Every change carries the session's CSRF token in X-CSRF-Token. */
(function () {
  "use strict";

  var state = { csrf: null, docs: [], levels: { public: "Công khai", internal: "Nội bộ" } };
  var $ = function (id) { return document.getElementById(id); };
  var EDIT_FIELDS = [["title", "Tiêu đề"], ["number", "Số hiệu"], ["doc_type", "Loại văn bản"],
    ["issuer", "Cơ quan ban hành"], ["province", "Tỉnh, thành phố"], ["date", "Ngày ban hành (năm-tháng-ngày)"],
    ["signer", "Người ký"]];
  var T = {
    failed: "Không kết nối được máy chủ, vui lòng thử lại.",
    uploading: "Đang tải lên…", processing: "Đang lập chỉ mục…",
    confirmDelete: function (t) { return "Xóa văn bản “" + t + "”? Các đoạn văn bản và nhiệm vụ của nó sẽ bị gỡ khỏi hệ thống."; },
  };

  function h(tag, props, children) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "dataset") Object.assign(el.dataset, props[k]);
      else if (k in el) el[k] = props[k];
      else el.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function notice(text, bad) {
    var n = $("notice");
    n.textContent = text;
    n.className = bad ? "bad" : "";
    n.setAttribute("role", bad ? "alert" : "status");
    n.hidden = !text;
  }

  function showLogin(message) {
    state.csrf = null;
    $("app").hidden = true;
    $("who").hidden = true;
    $("login").hidden = false;
    var err = $("login-error");
    err.textContent = message || "";
    err.hidden = !message;
    refreshLoginToken();
  }

  function refreshLoginToken() {
    return fetch("api/session", { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (s) { if (!s.signed_in) state.csrf = s.csrf; return s; }, function () { notice(T.failed, true); });
  }

  // A refused request has already said why (api() shows it): nothing more to do with it.
  function quiet(promise) { return promise.catch(function () {}); }

  function showApp(s) {
    state.csrf = s.csrf;
    if (s.levels) state.levels = s.levels;
    $("login").hidden = true;
    $("login-error").hidden = true;
    $("app").hidden = false;
    $("who").hidden = false;
    $("user").textContent = s.user;
    quiet(loadDocuments());
  }

  /* One request to the admin API. A refusal shows its Vietnamese message; 401 goes back to the
   * sign-in form with it (session expired, not signed in). */
  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (state.csrf) opts.headers["X-CSRF-Token"] = state.csrf;
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) return data;
        var message = data.detail || T.failed;
        if (r.status === 401) showLogin(message); else notice(message, true);
        throw new Error(message);
      });
    }, function (e) { notice(T.failed, true); throw e; });
  }

  // -- sign-in -------------------------------------------------------------------------------
  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var btn = ev.target.querySelector("button");
    btn.disabled = true;
    fetch("api/login", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf || "" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) { $("password").value = ""; notice(""); showApp(data); return; }
        var err = $("login-error");
        err.textContent = data.detail || T.failed;
        err.hidden = false;
        refreshLoginToken();
      });
    }, function () { notice(T.failed, true); }).then(function () { btn.disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    quiet(api("POST", "api/logout").then(function () { notice("Đã đăng xuất."); showLogin(""); }));
  });

  // -- tabs ----------------------------------------------------------------------------------
  var TABS = { "tab-docs": ["panel-docs", loadDocuments], "tab-questions": ["panel-questions", loadQuestions],
    "tab-approved": ["panel-approved", loadApproved] };
  Object.keys(TABS).forEach(function (id) {
    $(id).addEventListener("click", function () {
      Object.keys(TABS).forEach(function (other) {
        $(other).setAttribute("aria-selected", String(other === id));
        $(TABS[other][0]).hidden = other !== id;
      });
      quiet(TABS[id][1]());
    });
  });

  // -- documents -----------------------------------------------------------------------------
  function loadDocuments() {
    return api("GET", "api/documents").then(function (data) {
      state.docs = data.documents;
      renderDocuments();
    });
  }

  function renderDocuments() {
    var filter = $("doc-filter").value.trim().toLowerCase();
    var list = $("docs");
    list.textContent = "";
    var shown = state.docs.filter(function (d) {
      return !filter || [d.title, d.number, d.source, d.issuer].join(" ").toLowerCase().indexOf(filter) >= 0;
    });
    $("doc-count").textContent = String(state.docs.length);
    shown.forEach(function (d) { list.appendChild(documentCard(d)); });
  }
  $("doc-filter").addEventListener("input", renderDocuments);

  function documentCard(d) {
    var li = h("li", { dataset: { docId: d.doc_id } });
    var meta = [d.number, d.doc_type, d.issuer, d.date, d.source].filter(Boolean).join(" · ");
    var level = h("select", { className: "level", "aria-label": "Mức truy cập" });
    Object.keys(state.levels).forEach(function (k) {
      level.appendChild(h("option", { value: k, selected: k === d.level }, [state.levels[k]]));
    });
    level.addEventListener("change", function () {
      level.disabled = true;
      api("PATCH", "api/documents/" + encodeURIComponent(d.doc_id), { level: level.value }).then(function () {
        notice("Đã chuyển “" + d.title + "” sang mức " + state.levels[level.value] + ".");
        return loadDocuments();
      }).catch(function () { level.value = d.level; }).then(function () { level.disabled = false; });
    });
    var edit = h("button", { type: "button", className: "edit-btn" }, ["Sửa thông tin"]);
    var again = h("button", { type: "button", className: "reingest" }, ["Lập chỉ mục lại"]);
    var del = h("button", { type: "button", className: "danger delete" }, ["Xóa"]);
    var form = editForm(d);
    edit.addEventListener("click", function () { form.hidden = !form.hidden; if (!form.hidden) form.elements[0].focus(); });
    again.addEventListener("click", function () {
      again.disabled = true;
      notice(T.processing);
      api("POST", "api/documents/" + encodeURIComponent(d.doc_id) + "/reingest").then(function (r) {
        notice("Đã lập chỉ mục lại “" + d.title + "” (" + r.chunks + " đoạn).");
        return loadDocuments();
      }).catch(function () {}).then(function () { again.disabled = false; });
    });
    del.addEventListener("click", function () {
      if (!window.confirm(T.confirmDelete(d.title))) return;
      del.disabled = true;
      api("DELETE", "api/documents/" + encodeURIComponent(d.doc_id)).then(function (r) {
        notice("Đã xóa “" + d.title + "”." + (r.note ? " " + r.note : ""));
        return loadDocuments();
      }).catch(function () { del.disabled = false; });
    });
    li.appendChild(h("div", { className: "title" }, [
      h("a", { href: "../view/" + encodeURIComponent(d.doc_id), target: "_blank", rel: "noopener" }, [d.title])]));
    li.appendChild(h("div", { className: "meta" }, [meta]));
    li.appendChild(h("div", null, [
      h("span", { className: "badge " + d.level }, [d.level_name]),
      h("span", { className: "badge status" }, [d.status_name]),
      h("span", { className: "muted" }, [(d.chunks || 0) + " đoạn" + (d.pages ? ", " + d.pages + " trang" : "")])]));
    li.appendChild(h("div", { className: "actions" }, [h("label", null, ["Mức truy cập ", level]), edit, again, del]));
    li.appendChild(form);
    return li;
  }

  function editForm(d) {
    var form = h("form", { className: "edit", hidden: true });
    EDIT_FIELDS.forEach(function (f) {
      var id = "edit-" + d.doc_id + "-" + f[0];
      form.appendChild(h("label", { htmlFor: id }, [f[1]]));
      form.appendChild(h("input", { id: id, name: f[0], value: d[f[0]] || "" }));
    });
    var save = h("button", { type: "submit", className: "primary" }, ["Lưu và lập chỉ mục lại"]);
    var cancel = h("button", { type: "button" }, ["Hủy"]);
    cancel.addEventListener("click", function () { form.hidden = true; });
    form.appendChild(h("div", { className: "actions" }, [save, cancel]));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      EDIT_FIELDS.forEach(function (f) {
        var v = form.elements[f[0]].value.trim();
        if (v !== (d[f[0]] || "")) body[f[0]] = v;
      });
      if (!Object.keys(body).length) { form.hidden = true; return; }
      save.disabled = true;
      notice(T.processing);
      api("PATCH", "api/documents/" + encodeURIComponent(d.doc_id), body).then(function () {
        notice("Đã lưu thông tin của văn bản.");
        return loadDocuments();
      }).catch(function () {}).then(function () { save.disabled = false; });
    });
    return form;
  }

  // -- uploads: drag and drop, or pick; progress per file ----------------------------------------
  var drop = $("drop");
  drop.addEventListener("click", function () { $("file").click(); });
  drop.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); $("file").click(); }
  });
  ["dragenter", "dragover"].forEach(function (t) {
    drop.addEventListener(t, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    drop.addEventListener(t, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault();
    uploadAll(ev.dataTransfer ? ev.dataTransfer.files : []);
  });
  $("file").addEventListener("change", function (ev) { uploadAll(ev.target.files); ev.target.value = ""; });

  function uploadAll(files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (f) { chain = chain.then(function () { return upload(f); }); });
    quiet(chain.then(loadDocuments));
  }

  function upload(file) {
    var bar = h("progress", { max: 100, value: 0 });
    var status = h("span", null, [T.uploading]);
    var item = h("li", { className: "upload" }, [h("div", null, [file.name + " – ", status]), bar]);
    $("uploads").prepend(item);
    var data = new FormData();
    data.append("file", file);
    data.append("level", $("upload-level").value);
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "../api/documents");
      xhr.setRequestHeader("X-CSRF-Token", state.csrf || "");
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) bar.value = Math.round(100 * ev.loaded / ev.total);
      };
      xhr.upload.onload = function () { bar.value = 100; status.textContent = T.processing; };
      xhr.onload = function () {
        var out = {};
        try { out = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: the message below */ }
        if (xhr.status >= 200 && xhr.status < 300) {
          status.textContent = "Xong: " + (out.chunks || 0) + " đoạn, mức " + (state.levels[out.level] || out.level || "");
          status.className = "ok";
        } else {
          status.textContent = out.detail || T.failed;
          status.className = "bad";
          if (xhr.status === 401) showLogin(out.detail);
        }
        bar.hidden = true;
        resolve();
      };
      xhr.onerror = function () { status.textContent = T.failed; status.className = "bad"; resolve(); };
      xhr.send(data);
    });
  }

  // -- questions to review ---------------------------------------------------------------------
  function questionQuery() {
    return "kind=" + encodeURIComponent($("q-kind").value) + "&since=" + encodeURIComponent($("q-since").value);
  }

  function loadQuestions() {
    $("export").href = "api/questions.xlsx?" + questionQuery();
    return api("GET", "api/questions?" + questionQuery()).then(function (data) {
      var list = $("groups");
      list.textContent = "";
      $("q-summary").textContent = data.total ? data.total + " câu hỏi, " + data.groups.length + " nhóm."
        : "Không có câu hỏi nào cần xem lại trong khoảng thời gian này.";
      data.groups.forEach(function (g) { list.appendChild(groupCard(g)); });
    });
  }
  $("q-kind").addEventListener("change", function () { quiet(loadQuestions()); });
  $("q-since").addEventListener("change", function () { quiet(loadQuestions()); });

  function groupCard(g) {
    var li = h("li", { className: "group" });
    li.appendChild(h("div", { className: "title" }, [g.question]));
    var facts = [h("span", { className: "count" }, [g.count + " lần hỏi"])];
    if (g.refused) facts.push(" · " + g.refused + " không trả lời được");
    if (g.down) facts.push(" · " + g.down + " lần bị chê (👎)");
    facts.push(" · gần nhất " + new Date(g.last_ts).toLocaleString("vi-VN"));
    li.appendChild(h("div", { className: "meta" }, facts));
    if (g.variants.length > 1) {
      var ul = h("ul", { className: "variants" });
      g.variants.forEach(function (v) { ul.appendChild(h("li", null, [v.question + " (" + v.count + ")"])); });
      li.appendChild(ul);
    }
    var approve = h("button", { type: "button", className: "primary approve" }, ["Duyệt câu trả lời"]);
    approve.addEventListener("click", function () { openApprove(g.question); });
    li.appendChild(h("div", { className: "actions" }, [approve]));
    return li;
  }

  function openApprove(question) {
    var form = $("approve-form");
    var select = $("ap-doc");
    var fill = state.docs.length ? Promise.resolve() : loadDocuments();
    quiet(fill.then(function () {
      select.textContent = "";
      state.docs.forEach(function (d) {
        select.appendChild(h("option", { value: d.doc_id }, [d.title + " (" + d.level_name + ")"]));
      });
      $("ap-question").value = question;
      form.hidden = false;
      form.scrollIntoView({ block: "start" });
      $("ap-answer").focus();
    }));
  }
  $("ap-cancel").addEventListener("click", function () { $("approve-form").hidden = true; });
  $("approve-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    api("POST", "api/approved", { question: $("ap-question").value, answer: $("ap-answer").value,
      doc_id: $("ap-doc").value, quote: $("ap-quote").value }).then(function () {
      $("approve-form").hidden = true;
      ["ap-question", "ap-answer", "ap-quote"].forEach(function (id) { $(id).value = ""; });
      notice("Đã lưu câu trả lời đã duyệt.");
    }).catch(function () {});
  });

  // -- approved answers --------------------------------------------------------------------------
  function loadApproved() {
    return api("GET", "api/approved").then(function (data) {
      var list = $("approved");
      list.textContent = "";
      if (!data.approved.length) list.appendChild(h("li", { className: "muted" }, ["Chưa có câu trả lời nào được duyệt."]));
      data.approved.forEach(function (a) {
        var del = h("button", { type: "button", className: "danger" }, ["Xóa"]);
        del.addEventListener("click", function () {
          if (!window.confirm("Xóa câu trả lời đã duyệt này?")) return;
          api("DELETE", "api/approved/" + encodeURIComponent(a.id)).then(loadApproved).catch(function () {});
        });
        list.appendChild(h("li", { className: "approved-item" }, [
          h("div", { className: "title" }, [a.question]),
          h("p", null, [a.answer]),
          h("div", { className: "meta" }, ["Trích dẫn: “" + a.quote + "” – " + (a.doc_title || a.doc_id) +
            (a.doc_missing ? " (văn bản đã bị xóa: câu trả lời không còn được dùng)" : "")]),
          h("div", { className: "meta" }, ["Duyệt bởi " + a.created_by + ", " + new Date(a.created_at).toLocaleString("vi-VN")]),
          h("div", { className: "actions" }, [del])]));
      });
    });
  }

  // -- start -------------------------------------------------------------------------------------
  fetch("api/session", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
    if (s.signed_in) showApp(s); else { state.csrf = s.csrf; showLogin(s.message); }
  }, function () { notice(T.failed, true); });
})();
