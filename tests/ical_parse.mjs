// Parses an iCalendar object from stdin with ical.js, the parser many web calendar clients use.
//
// A second, independent reader for tests/rfc5545.py: on success it prints, as JSON, each VEVENT's
// UID and its start and end as Unix seconds, resolved through the VTIMEZONE components of the
// file itself (not ical.js's own zone data), so the caller can check that those components give
// the instants it expects. On a parse failure it prints the error to stderr and exits with 1.
//
// Usage: node tests/ical_parse.mjs < calendar.ics

import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function instant(event, name) {
  const property = event.component.getFirstProperty(name);
  if (!property) {
    return null;
  }
  const tzid = property.getParameter("tzid");
  if (tzid && !event.component.getTimeZoneByID(tzid)) {
    throw new Error(`${name} names TZID ${tzid}, which no VTIMEZONE of the file defines`);
  }
  const value = property.getFirstValue();
  return value.toUnixTime();
}

try {
  const text = await readStdin();
  const root = new ICAL.Component(ICAL.parse(text));
  if (root.name !== "vcalendar") {
    throw new Error(`the top component is ${root.name}, not vcalendar`);
  }
  const events = root.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      start: instant(event, "dtstart"),
      end: instant(event, "dtend"),
    };
  });
  process.stdout.write(JSON.stringify({ events }));
} catch (error) {
  process.stderr.write(`ical.js: ${error.message}\n`);
  process.exit(1);
}
