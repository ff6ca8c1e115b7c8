// An event whose sales have not opened: count down to the opening (from the seconds the server
// counted, so a phone's wrong clock cannot open the map early), then load the page again, which
// then has the seat map.
const element = document.querySelector("[data-sales-countdown]");
const opensAt = performance.now() + Number(element.dataset.secondsLeft) * 1000;

function part(value, unit) {
  return `${value} ${unit}${value === 1 ? "" : "s"}`;
}

function tick() {
  const left = Math.max(0, Math.ceil((opensAt - performance.now()) / 1000));
  element.dataset.secondsLeft = left;
  if (left === 0) {
    element.textContent = "Sales are opening…";
    clearInterval(timer);
    // A moment's grace for clocks that differ by a little.
    setTimeout(() => location.reload(), 500);
    return;
  }
  const days = Math.floor(left / 86400);
  const hours = Math.floor((left % 86400) / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const seconds = left % 60;
  const words = days
    ? [part(days, "day"), part(hours, "hour")]
    : hours
      ? [part(hours, "hour"), part(minutes, "minute")]
      : [part(minutes, "minute"), part(seconds, "second")];
  element.textContent = `Opens in ${words.join(" ")}`;
}

const timer = setInterval(tick, 1000);
tick();
