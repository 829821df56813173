// Reads an .ics file the way Thunderbird's ical.js does and prints what it understood, as JSON.
//
//   node icaljs-read.mjs FILE.ics
//
// Every VTIMEZONE of the file is registered with ICAL.TimezoneService first (as Thunderbird
// does), so TZID-qualified times resolve through the file's own VTIMEZONEs and nothing else.
// Output: {"parser": "ical.js", "version": ..., "events": [{uid, summary, start, end, all_day}]}
// with start and end as UTC ISO instants; an all-day event's dates are given as midnight UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  process.stderr.write("usage: node icaljs-read.mjs FILE.ics\n");
  process.exit(2);
}

const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function instant(time) {
  if (time.isDate) {
    const pad = (n, width = 2) => String(n).padStart(width, "0");
    return `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}T00:00:00Z`;
  }
  const tzid = time.zone ? time.zone.tzid : "floating";
  if (tzid !== "UTC" && !ICAL.TimezoneService.has(tzid)) {
    throw new Error(`${time} has no time zone that the file defines (${tzid})`);
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: instant(event.startDate),
    end: instant(event.endDate),
    all_day: event.startDate.isDate,
  };
});

const manifest = new URL("node_modules/ical.js/package.json", import.meta.url);
const { version } = JSON.parse(readFileSync(manifest, "utf8"));
process.stdout.write(JSON.stringify({ parser: "ical.js", version, events }) + "\n");
