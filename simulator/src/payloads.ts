import type { KnownEvent } from '../../functions/src';
import { createRandom, type Random } from './random';
import {
  ARTISTS,
  CANCELLATION_REASONS,
  CATEGORIES,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  TICKET_TYPES,
  TOURS,
  VENUES,
  type Venue,
} from './swissData';

export const EVENT_MODES = ['ticket_created', 'ticket_updated', 'mixed'] as const;
export type EventMode = (typeof EVENT_MODES)[number];

export interface GeneratorOptions {
  seed: number;
  mode: EventMode;
  /**
   * Day the run is "generated" on (YYYY-MM-DD): sessions fall after it. Part of the input so a seed replays to the same
   * bytes.
   */
  baseDate: string;
}

export interface GeneratedBody {
  index: number;
  event: KnownEvent;
  ticketNumber: string;
  /** The exact bytes to sign and send (compact UTF-8 JSON, as some PETZI senders send). */
  body: string;
  /**
   * Index of the request in this run that created the ticket an update refers to: send it only after that one answered.
   */
  dependsOn?: number;
}

interface Concert {
  eventId: number;
  artist: string;
  title: string;
  venue: Venue;
  sessions: Array<{ name: string; date: string; time: string | null; doors: string | null }>;
  priceCents: number;
}

type Json = Record<string, unknown>;

interface Created {
  index: number;
  ticket: Json;
  buyer: Json;
}

const CONCERTS_PER_RUN = 12;
/** Share of a mixed run that updates a ticket created earlier in the run. */
const MIXED_UPDATE_SHARE = 0.3;
const DAY_MS = 86_400_000;
const TICKET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function addDays(baseDate: string, days: number): string {
  return new Date(Date.parse(`${baseDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function clock(minutes: number): string {
  return `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}:00`;
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

function makeConcert(random: Random, eventId: number, baseDate: string): Concert {
  const artist = random.pick(ARTISTS);
  const venue = random.pick(VENUES);
  const start = random.int(3, 180);
  // One in six is a two-night run, as festival passes are.
  const nights = random.chance(1 / 6) ? 2 : 1;
  const showMinutes = random.pick([19 * 60 + 30, 20 * 60, 20 * 60 + 30, 21 * 60, 21 * 60 + 30]);
  // Some venues publish no times: PETZI then sends nulls.
  const timed = random.chance(0.9);
  const sessions = Array.from({ length: nights }, (_, night) => ({
    name: artist,
    date: addDays(baseDate, start + night),
    time: timed ? clock(showMinutes) : null,
    doors: timed ? clock(showMinutes - 60) : null,
  }));
  return {
    eventId,
    artist,
    title: `${artist} - ${random.pick(TOURS)}`,
    venue,
    sessions,
    priceCents: random.int(20, 120) * 50,
  };
}

/**
 * Deterministic PETZI payloads: the same options give the same sequence of bodies, byte for byte.
 * Updates in a mixed run refer to tickets this generator created earlier in the run.
 */
export class PayloadGenerator {
  private readonly random: Random;
  private readonly concerts: Concert[];
  private readonly usedNumbers = new Set<string>();
  /**
   * Tickets created in this run and not yet updated: each is updated at most once, so no update repeats another's
   * bytes.
   */
  private readonly updatable: Created[] = [];
  private index = 0;

  constructor(private readonly options: GeneratorOptions) {
    this.random = createRandom(options.seed);
    const firstEventId = this.random.int(50_000, 59_000);
    this.concerts = Array.from({ length: CONCERTS_PER_RUN }, (_, i) =>
      makeConcert(this.random, firstEventId + i * 7, options.baseDate),
    );
  }

  next(): GeneratedBody {
    const index = this.index;
    this.index += 1;
    const { mode } = this.options;
    if (mode === 'ticket_created') return this.created(index);
    if (mode === 'ticket_updated') {
      // No creation of this run to refer to: the ticket was sold before the run started.
      const { ticket, buyer } = this.newTicket(index);
      return this.updated(index, { index: -1, ticket, buyer });
    }
    if (this.updatable.length > 0 && this.random.chance(MIXED_UPDATE_SHARE)) {
      const slot = this.random.int(0, this.updatable.length - 1);
      const [original] = this.updatable.splice(slot, 1);
      if (original) return this.updated(index, original);
    }
    return this.created(index);
  }

  private created(index: number): GeneratedBody {
    const { ticket, buyer } = this.newTicket(index);
    if (this.options.mode === 'mixed') this.updatable.push({ index, ticket, buyer });
    return {
      index,
      event: 'ticket_created',
      ticketNumber: String(ticket.number),
      body: serialise('ticket_created', ticket, buyer),
    };
  }

  private updated(index: number, original: Created): GeneratedBody {
    const ticket: Json = {
      ...original.ticket,
      cancellationReason: this.random.pick(CANCELLATION_REASONS),
      generatedAt: this.generatedAt(index),
    };
    const result: GeneratedBody = {
      index,
      event: 'ticket_updated',
      ticketNumber: String(ticket.number),
      body: serialise('ticket_updated', ticket, original.buyer),
    };
    if (original.index >= 0) result.dependsOn = original.index;
    return result;
  }

  private newTicket(index: number): { ticket: Json; buyer: Json } {
    const random = this.random;
    const concert = random.pick(this.concerts);
    const roll = random.next();
    // Mostly online presales, as in production.
    const type =
      roll < 0.7 ? TICKET_TYPES[0] : roll < 0.85 ? TICKET_TYPES[1] : roll < 0.95 ? TICKET_TYPES[2] : TICKET_TYPES[3];
    const categories = CATEGORIES[concert.venue.lang];
    const category = type === 'self_ticket' ? categories[4] : random.pick(categories.slice(0, 4));
    const priceCents = type === 'self_ticket' ? 0 : concert.priceCents + random.pick([0, 0, 500, -500]);
    const ticket: Json = {
      number: this.ticketNumber(),
      type,
      title: concert.title,
      category,
      eventId: concert.eventId,
      event: concert.artist,
      cancellationReason: '',
      generatedAt: this.generatedAt(index),
      sessions: concert.sessions.map((s) => ({
        name: s.name,
        date: s.date,
        time: s.time,
        doors: s.doors,
        location: {
          name: concert.venue.name,
          street: concert.venue.street,
          city: concert.venue.city,
          postcode: concert.venue.postcode,
        },
      })),
      promoter: concert.venue.name,
      price: { amount: money(Math.max(0, priceCents)), currency: 'CHF' },
    };
    return { ticket, buyer: this.buyer(type) };
  }

  private buyer(type: string): Json {
    const random = this.random;
    if (type === 'self_ticket') return { role: 'self_ticket', firstName: null, lastName: null, email: null };
    const role = type === 'box_office' ? 'point_of_sale' : random.chance(0.95) ? 'customer' : 'unknown';
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const buyer: Json = { role, firstName, lastName };
    if (role === 'customer' && random.chance(0.6)) {
      buyer.email = `${asciiFold(firstName)}.${asciiFold(lastName)}@${random.pick(EMAIL_DOMAINS)}`;
    }
    buyer.postcode = String(random.int(1000, 9658));
    return buyer;
  }

  private ticketNumber(): string {
    for (;;) {
      let number = '';
      for (let i = 0; i < 12; i += 1) number += TICKET_ALPHABET[this.random.int(0, TICKET_ALPHABET.length - 1)];
      if (!this.usedNumbers.has(number)) {
        this.usedNumbers.add(number);
        return number;
      }
    }
  }

  /** PETZI's own format: microseconds and an explicit +00:00 offset. */
  private generatedAt(index: number): string {
    const ms = Date.parse(`${this.options.baseDate}T08:00:00Z`) + index * 1000 + this.random.int(0, 999);
    const iso = new Date(ms).toISOString();
    return `${iso.slice(0, 23)}${pad(this.random.int(0, 999), 3)}+00:00`;
  }
}

function serialise(event: KnownEvent, ticket: Json, buyer: Json): string {
  return JSON.stringify({ event, details: { ticket, buyer } });
}

/** Today's date in UTC, the default base date. */
export function todayUtc(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}
