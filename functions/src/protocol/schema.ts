import { z } from 'zod';
import { ruleOf, storableText } from './storable';

/**
 * The PETZI webhook payload. No official spec exists, so the schema is strict only where the
 * pipeline depends on the value (ticket number, event id, price) and lenient where senders vary
 * (ticket types outside the documented list, null times and names, extra fields).
 */
const KNOWN_EVENTS = ['ticket_created', 'ticket_updated'] as const;
export type KnownEvent = (typeof KNOWN_EVENTS)[number];

export function isKnownEvent(event: string): event is KnownEvent {
  return (KNOWN_EVENTS as readonly string[]).includes(event);
}

const nullableString = storableText.nullable();
// Session times are stored in no time-typed column (only in the jsonb payload), so the format is all they need.
const time = z
  .string()
  .regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected a time HH:MM:SS')
  .nullable()
  .optional();

const locationSchema = z.looseObject({
  name: ruleOf('venue').nullable().optional(),
  street: nullableString.optional(),
  city: ruleOf('city').nullable().optional(),
  postcode: z.union([z.string(), z.number()]).nullable().optional(),
});

const sessionSchema = z.looseObject({
  name: nullableString.optional(),
  date: ruleOf('session_date'),
  time,
  doors: time,
  location: locationSchema.nullable().optional(),
});

const priceSchema = z.looseObject({
  amount: ruleOf('price_amount'),
  currency: ruleOf('price_currency'),
});

const ticketSchema = z.looseObject({
  // ticket.number is the projection's primary key: a btree entry holds at most 2704 bytes, and 200
  // characters (800 bytes at most) leave room. Other text has no limit.
  number: ruleOf('number').min(1).max(200),
  type: ruleOf('type'),
  title: ruleOf('title'),
  category: ruleOf('category'),
  eventId: ruleOf('event_id'),
  event: ruleOf('event'),
  cancellationReason: ruleOf('cancellation_reason').nullable().optional(),
  generatedAt: z.string().nullable().optional(),
  sessions: z.array(sessionSchema),
  promoter: nullableString.optional(),
  price: priceSchema,
});

const buyerSchema = z.looseObject({
  role: ruleOf('buyer_role'),
  firstName: nullableString.optional(),
  lastName: nullableString.optional(),
  email: nullableString.optional(),
  postcode: z.union([z.string(), z.number()]).nullable().optional(),
});

const ticketEventSchema = z.looseObject({
  event: z.enum(KNOWN_EVENTS),
  details: z.looseObject({ ticket: ticketSchema, buyer: buyerSchema }),
});

export type TicketPayload = z.infer<typeof ticketEventSchema>;
export type Ticket = z.infer<typeof ticketSchema>;

export interface FieldProblem {
  path: string;
  message: string;
}

export type PayloadCheck =
  | { kind: 'ticket'; event: KnownEvent; payload: TicketPayload }
  /** A syntactically valid event this version does not know: stored, never rejected, so nothing is lost. */
  | { kind: 'unknown'; event: string; payload: Record<string, unknown> }
  | { kind: 'invalid'; event: string | null; problems: FieldProblem[] };

/** Event names become routing keys, so they are held to a safe, short alphabet. */
const EVENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies an already-parsed JSON object. */
export function checkPayload(body: Record<string, unknown>): PayloadCheck {
  const event = body.event;
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
    return {
      kind: 'invalid',
      event: null,
      problems: [
        { path: 'event', message: 'expected an event name such as "ticket_created" (letters, digits, _ . -)' },
      ],
    };
  }
  if (!isKnownEvent(event)) {
    return { kind: 'unknown', event, payload: body };
  }
  const result = ticketEventSchema.safeParse(body);
  if (result.success) return { kind: 'ticket', event: event as KnownEvent, payload: result.data };
  return {
    kind: 'invalid',
    event,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}
