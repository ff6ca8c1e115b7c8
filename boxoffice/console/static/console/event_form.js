// New event: the note by each time field names the chosen venue's time zone, which is what a
// typed time means (the server decides the same way from the chosen seat map).
const select = document.querySelector("select[data-venue-zones]");
if (select) {
  const zones = JSON.parse(select.dataset.venueZones);
  const update = () => {
    const zone = zones[select.value];
    if (!zone) return;
    for (const input of document.querySelectorAll("input[data-event-time]")) {
      const note = input.parentElement.querySelector(".helptext");
      if (note) note.textContent = `In ${zone}, the venue's time zone.`;
    }
  };
  select.addEventListener("change", update);
  update();
}
