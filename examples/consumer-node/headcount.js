// Headcount per unit from personnel's officer events, as of a day. Pure state: no Kafka, no I/O.
//
// Every event carries the day it takes effect (`effective_date`, the first day of the new state), and a
// change may be recorded after later-dated ones of other officers, so each officer keeps a dated
// timeline; the headcount of a day takes each officer's newest change on or before it.

export class Headcount {
  constructor() {
    this.timelines = new Map(); // officer id -> [{ day, seq, unit }] (unit null: departed)
    this.seq = 0;
  }

  // One handler per event type and version this consumer understands; the caller routes on ce_type.
  handlers() {
    // v2 dropped the personal fields only; the fields read here are the same in both versions.
    const appointed = (d) => this.#change(d.officer_id, d.effective_date, d.unit_id);
    const departed = (d) => this.#change(d.officer_id, d.effective_date, null);
    const corrected = (d) => this.#correctDeparture(d.officer_id, d.departure_date);
    return {
      "vn.cds.personnel.officer.appointed.v1": appointed,
      "vn.cds.personnel.officer.appointed.v2": appointed,
      "vn.cds.personnel.officer.transferred.v1": (d) => this.#change(d.officer_id, d.effective_date, d.to_unit_id),
      "vn.cds.personnel.officer.departed.v1": departed,
      "vn.cds.personnel.officer.departed.v2": departed,
      "vn.cds.personnel.officer.corrected.v1": corrected,
      "vn.cds.personnel.officer.corrected.v2": corrected,
    };
  }

  #change(officer, day, unit) {
    if (!this.timelines.has(officer)) this.timelines.set(officer, []);
    this.timelines.get(officer).push({ day, seq: this.seq++, unit });
  }

  // A correction carries the officer's corrected record; for a departed officer, the departure date.
  #correctDeparture(officer, departureDate) {
    const timeline = this.timelines.get(officer);
    if (!departureDate || !timeline) return;
    const departures = timeline.filter((c) => c.unit === null);
    const last = departures[departures.length - 1];
    if (last) last.day = departureDate;
  }

  // { unitId: officers } on `day` (YYYY-MM-DD; ISO dates compare as strings).
  on(day) {
    const units = {};
    for (const timeline of this.timelines.values()) {
      let current = null;
      for (const c of timeline) {
        if (c.day <= day && (current === null || c.day > current.day || (c.day === current.day && c.seq > current.seq))) {
          current = c;
        }
      }
      if (current && current.unit !== null) units[current.unit] = (units[current.unit] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(units).sort(([a], [b]) => a.localeCompare(b)));
  }
}
