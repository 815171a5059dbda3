// The running order: drag a question to its place (the Up and Down buttons work without this).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("ol.running-order");
  if (!list) return;
  let dragged = null;
  for (const item of list.querySelectorAll("li[data-id]:not(.withdrawn)")) {
    item.draggable = true;
    item.addEventListener("dragstart", () => { dragged = item; item.classList.add("dragging"); });
    item.addEventListener("dragend", () => { item.classList.remove("dragging"); dragged = null; });
    item.addEventListener("dragover", (event) => {
      event.preventDefault();
      if (!dragged || dragged === item) return;
      const box = item.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? item : item.nextSibling);
    });
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      const form = document.createElement("form");
      form.method = "post";
      form.action = list.dataset.orderUrl;
      for (const [name, value] of [["csrf_token", list.dataset.csrf],
        ["order", [...list.querySelectorAll("li[data-id]")].map((li) => li.dataset.id).join(",")]]) {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    });
  }
});
