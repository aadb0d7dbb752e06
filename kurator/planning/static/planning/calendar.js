// The content plan's calendar (R-PLAN-2..4): FullCalendar over /plan/calendar/feed/, drag and drop
// through /plan/calendar/posts/<pk>/move/. Without this script the page stays a plain list.
//
// Times: the feed gives each post's time as the wall clock of its page's library, without an offset,
// and the calendar runs in "UTC" so that nothing is converted to the browser's own zone; a moved
// post's new wall-clock time goes back the same way.
(function () {
  "use strict";

  const VIEWS = { month: "dayGridMonth", week: "timeGridWeek", list: "listMonth" };

  function showMessage(box, text, kind) {
    box.replaceChildren();
    if (!text) return;
    const alert = document.createElement("div");
    alert.className = "alert alert-" + kind + " py-2 mb-0";
    alert.textContent = text;
    box.append(alert);
  }

  function renderWarnings(box, warnings, emptyText) {
    box.replaceChildren();
    if (!warnings.length) {
      const p = document.createElement("p");
      p.className = "text-body-secondary small mb-0";
      p.textContent = emptyText;
      box.append(p);
      return;
    }
    const byPage = new Map();
    for (const w of warnings) {
      if (!byPage.has(w.page_name)) byPage.set(w.page_name, []);
      byPage.get(w.page_name).push(w);
    }
    for (const [pageName, list] of [...byPage.entries()].sort()) {
      const alert = document.createElement("div");
      alert.className = "alert alert-warning py-2 mb-2";
      const title = document.createElement("div");
      title.className = "fw-semibold";
      title.textContent = pageName;
      const ul = document.createElement("ul");
      ul.className = "mb-0 small";
      for (const w of list) {
        const li = document.createElement("li");
        li.dataset.kind = w.kind;
        li.textContent = w.message;
        ul.append(li);
      }
      alert.append(title, ul);
      box.append(alert);
    }
  }

  function wallClock(date) {
    // In the "UTC" calendar the Date's UTC fields are the library's wall clock.
    return date.toISOString().slice(0, 16);
  }

  function start() {
    const el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) return;
    const data = el.dataset;
    const warningsBox = document.getElementById("plan-warnings");
    const messageBox = document.getElementById("calendar-message");

    const calendar = new FullCalendar.Calendar(el, {
      locale: data.locale === "ru" ? "ru" : "en",
      eventDurationEditable: false,
      timeZone: "UTC",
      initialView: VIEWS[data.view] || VIEWS.month,
      initialDate: data.date,
      firstDay: 1,
      height: "auto",
      nowIndicator: true,
      slotMinTime: "07:00:00",
      slotMaxTime: "23:00:00",
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listMonth" },
      events: function (info, success, failure) {
        const url = new URL(data.feedUrl, window.location.href);
        url.searchParams.set("start", info.startStr.slice(0, 10));
        url.searchParams.set("end", info.endStr.slice(0, 10));
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
          .then((feed) => {
            renderWarnings(warningsBox, feed.warnings, data.msgNoWarnings);
            success(feed.events);
          })
          .catch(failure);
      },
      datesSet: function (info) {
        // Keep the address in step, so that a reload or a shared link opens the same period and view.
        const name = Object.keys(VIEWS).find((key) => VIEWS[key] === info.view.type) || "month";
        const url = new URL(window.location.href);
        url.searchParams.set("view", name);
        url.searchParams.set("start", info.view.currentStart.toISOString().slice(0, 10));
        window.history.replaceState(null, "", url.toString());
      },
      eventDidMount: function (info) {
        const p = info.event.extendedProps;
        const parts = [info.event.title];
        if (p.stateLabel) parts.push(p.stateLabel);
        if (p.pages && p.pages.length) parts.push(p.pages.join(", "));
        if (p.source) parts.push(p.source);
        info.el.title = parts.join(" — ");
        info.el.dataset.kind = p.kind || "";
      },
      eventClick: function (info) {
        // A memorable date becomes a draft in one step (R-PLAN-5): the same POST as on the dates screen.
        const p = info.event.extendedProps;
        if (p.kind !== "date" || data.canDraft !== "1") return;
        info.jsEvent.preventDefault();
        if (!window.confirm(data.msgDraftConfirm.replace("%s", info.event.title))) return;
        const form = document.createElement("form");
        form.method = "post";
        form.action = p.draftUrl;
        const token = document.createElement("input");
        token.type = "hidden";
        token.name = "csrfmiddlewaretoken";
        token.value = data.csrf;
        form.append(token);
        document.body.append(form);
        form.submit();
      },
      dateClick: function (info) {
        // A click on an empty hour opens a new post; the editor may take the time from the link.
        if (!data.newPostUrl || info.allDay) return;
        const url = new URL(data.newPostUrl, window.location.href);
        url.searchParams.set("planned_at", info.dateStr.slice(0, 16));
        if (data.page) url.searchParams.set("page", data.page);
        window.location.href = url.toString();
      },
      eventDrop: function (info) {
        if (info.event.allDay) {
          info.revert();
          showMessage(messageBox, data.msgAllDay, "warning");
          return;
        }
        const body = new FormData();
        body.set("start", wallClock(info.event.start));
        body.set("zone", info.event.extendedProps.zone || "");
        fetch(info.event.extendedProps.moveUrl, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": data.csrf, Accept: "application/json" },
          credentials: "same-origin",
        })
          .then((r) =>
            r
              .json()
              .then((answer) => ({ ok: r.ok && answer.ok, answer: answer }))
              .catch(() => ({ ok: false, answer: { message: data.msgRefused } })),
          )
          .then(({ ok, answer }) => {
            if (!ok) {
              info.revert();
              showMessage(messageBox, answer.message || data.msgRefused, "danger");
              calendar.refetchEvents(); // the post may have changed meanwhile (published, say): show it as it is
              return;
            }
            showMessage(messageBox, answer.message, answer.late ? "warning" : "success");
            calendar.refetchEvents();
          })
          .catch(() => {
            info.revert();
            showMessage(messageBox, data.msgRefused, "danger");
          });
      },
    });
    calendar.render();
    const list = document.getElementById("plan-list");
    if (list) list.classList.add("d-none");
  }

  document.addEventListener("DOMContentLoaded", start);
})();
