#!/usr/bin/env node
// A consumer of the CĐS platform's events that uses none of the platform's code: kafkajs reads the topic,
// the CloudEvents SDK's Kafka binding turns each record into an event, ajv checks its data against the
// committed JSON Schema of its type, and the event is routed on its type (ce_type) to the headcount.
//
//   node consumer.js                      # follow personnel.officer, print the headcount when it changes
//   node consumer.js --until-caught-up    # read what is on the topic now, print one JSON summary, exit
//
// Settings (environment): KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX, and the
// flags --group NAME, --as-of YYYY-MM-DD (default today in Asia/Ho_Chi_Minh), --schemas DIR.

import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { Kafka as CloudEventsKafka } from "cloudevents";
import { Kafka, logLevel } from "kafkajs";

import { Headcount } from "./headcount.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const TOPIC = "personnel.officer";
const SCHEMA_ID = (ceType) => `urn:cds:event-schema:${ceType}`; // the $id of shared/contracts/schemas/<ce_type>.json
const REPLAY_FOR = "x-replay-for"; // a dead letter replayed for one of the platform's own consumer groups

const { values: flags } = parseArgs({
  options: {
    "until-caught-up": { type: "boolean", default: false },
    group: { type: "string", default: "example-node-headcount" },
    "as-of": { type: "string", default: new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Ho_Chi_Minh" }) },
    schemas: { type: "string", default: join(HERE, "..", "..", "shared", "contracts", "schemas") },
  },
});

function loadSchemas(dir) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    ajv.addSchema(JSON.parse(readFileSync(join(dir, file), "utf8"))); // registered under its $id
  }
  return ajv;
}

// kafkajs gives headers as Buffers (arrays when repeated); the CloudEvents binding wants strings.
function textHeaders(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    out[name] = last === undefined ? undefined : last.toString("utf8");
  }
  return out;
}

const stats = { records: 0, applied: 0, duplicates: 0, skipped_types: {}, replays_skipped: 0, invalid: [] };

function handle(record, ajv, headcount, routes, seen) {
  stats.records += 1;
  const headers = textHeaders(record.headers);
  if (headers[REPLAY_FOR] !== undefined) {
    stats.replays_skipped += 1; // a copy of a record already on the topic, meant for another consumer
    return;
  }
  let event;
  try {
    event = CloudEventsKafka.toEvent({ headers, key: record.key?.toString("utf8"), value: record.value });
    event.validate(); // required attributes, specversion, id, source, type, time
  } catch (err) {
    stats.invalid.push({ offset: record.offset, error: `not a CloudEvent: ${err.message ?? err}` });
    return;
  }
  const validate = ajv.getSchema(SCHEMA_ID(event.type));
  if (!validate) {
    stats.invalid.push({ offset: record.offset, type: event.type, error: "no schema for this type" });
    return;
  }
  const data = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  if (!validate(data)) {
    stats.invalid.push({ offset: record.offset, type: event.type, error: ajv.errorsText(validate.errors) });
    return;
  }
  if (seen.has(event.id)) {
    stats.duplicates += 1; // delivery is at least once: deduplicate on the event id
    return;
  }
  seen.add(event.id);
  const route = routes[event.type];
  if (!route) {
    stats.skipped_types[event.type] = (stats.skipped_types[event.type] ?? 0) + 1; // not needed for a headcount
    return;
  }
  route(data);
  stats.applied += 1;
}

function summary(headcount) {
  const units = headcount.on(flags["as-of"]);
  const total = Object.values(units).reduce((a, b) => a + b, 0);
  return { as_of: flags["as-of"], total, units, ...stats };
}

async function main() {
  const ajv = loadSchemas(flags.schemas);
  const headcount = new Headcount();
  const routes = headcount.handlers();
  const seen = new Set();
  const topic = (process.env.KAFKA_TOPIC_PREFIX ?? "") + TOPIC;
  const brokers = (process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092").split(",");
  const kafka = new Kafka({ clientId: "cds-consumer-node", brokers, logLevel: logLevel.WARN });

  // The end of each partition now: with --until-caught-up, stop once every record before it was read.
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  const position = new Map(offsets.map((p) => [p.partition, BigInt(p.low)]));
  const caughtUp = () => [...ends].every(([p, end]) => position.get(p) >= end);

  const consumer = kafka.consumer({ groupId: flags.group });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let printed = "";
  const done = new Promise((resolve) => {
    consumer.run({
      autoCommit: false, // the headcount lives in memory: every start reads the topic from the beginning
      eachMessage: async ({ partition, message }) => {
        handle(message, ajv, headcount, routes, seen);
        position.set(partition, BigInt(message.offset) + 1n);
        if (flags["until-caught-up"] && caughtUp()) resolve();
      },
    });
    if (flags["until-caught-up"] && caughtUp()) resolve(); // an empty topic
  });
  if (!flags["until-caught-up"]) {
    for (const signal of ["SIGINT", "SIGTERM"]) {
      process.once(signal, () => consumer.disconnect().finally(() => process.exit(0))); // leave the group cleanly
    }
    setInterval(() => {
      if (stats.records === 0) return; // still joining the group: nothing to say yet
      const s = summary(headcount);
      const line = `headcount on ${s.as_of}: ${s.total} officers in ${Object.keys(s.units).length} units`;
      if (line !== printed) {
        const top = Object.entries(s.units).sort((a, b) => b[1] - a[1]).slice(0, 5);
        console.log(`${line}; largest: ${top.map(([u, n]) => `${u}=${n}`).join(", ")}`);
        printed = line;
      }
    }, 2000);
    return;
  }
  await done;
  await consumer.disconnect();
  console.log(JSON.stringify(summary(headcount), null, 2));
  process.exitCode = stats.invalid.length ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
