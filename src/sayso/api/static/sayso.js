// sayso pages: layer toggles and span details. Plain DOM, no dependencies; the pages work without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const root of document.querySelectorAll(".hl-root")) {
    for (const box of root.querySelectorAll("input[data-layer]")) {
      box.addEventListener("change", () => {
        root.classList.toggle("show-" + box.dataset.layer, box.checked);
      });
    }
    const show = (seg) => {
      for (const note of root.querySelectorAll(".note.active")) note.classList.remove("active");
      for (const s of root.querySelectorAll(".seg.selected")) s.classList.remove("selected");
      const refs = (seg.dataset.refs || "").split(" ").filter(Boolean);
      for (const ref of refs) {
        const note = document.getElementById("note-" + ref);
        if (note) note.classList.add("active");
        for (const s of root.querySelectorAll(".seg")) {
          if ((s.dataset.refs || "").split(" ").includes(ref)) s.classList.add("selected");
        }
      }
      const hint = document.getElementById("details-hint");
      if (hint) hint.hidden = refs.length > 0;
    };
    root.addEventListener("click", (event) => {
      const seg = event.target.closest(".seg");
      if (seg) show(seg);
    });
    root.addEventListener("keydown", (event) => {
      const seg = event.target.closest(".seg");
      if (seg && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); show(seg); }
    });
  }
});
