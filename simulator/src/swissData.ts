/**
 * Reference data for realistic payloads: venues of the kind that sell through PETZI (Swiss
 * clubs and festivals, French- and German-speaking), names with the accents real buyers have.
 * Addresses are plausible, not authoritative.
 */
export interface Venue {
  name: string;
  street: string;
  city: string;
  postcode: string;
  /** Language of the venue's ticket categories. */
  lang: 'fr' | 'de';
}

export const VENUES: readonly Venue[] = [
  { name: 'Case à Chocs', street: 'Quai Philippe-Godet 20', city: 'Neuchâtel', postcode: '2000', lang: 'fr' },
  { name: 'Bikini Test', street: 'Rue de la Joux-Perret 3', city: 'La Chaux-de-Fonds', postcode: '2300', lang: 'fr' },
  { name: 'Fri-Son', street: 'Route de la Fonderie 13', city: 'Fribourg', postcode: '1700', lang: 'fr' },
  { name: 'Les Docks', street: 'Avenue de Sévelin 36', city: 'Lausanne', postcode: '1007', lang: 'fr' },
  { name: "L'Usine", street: 'Place des Volontaires 4', city: 'Genève', postcode: '1204', lang: 'fr' },
  { name: 'Usine à Gaz', street: 'Rue César-Soulié 1', city: 'Nyon', postcode: '1260', lang: 'fr' },
  { name: 'Le Port Franc', street: 'Rue du Grand-Pont 2', city: 'Sion', postcode: '1950', lang: 'fr' },
  { name: 'Rote Fabrik', street: 'Seestrasse 395', city: 'Zürich', postcode: '8038', lang: 'de' },
  { name: 'Dachstock Reitschule', street: 'Neubrückstrasse 8', city: 'Bern', postcode: '3011', lang: 'de' },
  { name: 'Kaserne Basel', street: 'Klybeckstrasse 1b', city: 'Basel', postcode: '4057', lang: 'de' },
  { name: 'Schüür', street: 'Tribschenstrasse 1', city: 'Luzern', postcode: '6005', lang: 'de' },
  { name: 'Gaswerk', street: 'Untere Schöntalstrasse 19', city: 'Winterthur', postcode: '8401', lang: 'de' },
  { name: 'Kofmehl', street: 'Kofmehlweg 1', city: 'Solothurn', postcode: '4500', lang: 'de' },
  { name: 'Palace', street: 'Blumenbergplatz', city: 'St. Gallen', postcode: '9000', lang: 'de' },
];

export const FIRST_NAMES: readonly string[] = [
  'Zoé',
  'Léa',
  'Chloé',
  'Anaïs',
  'Hélène',
  'Gaëlle',
  'Mélanie',
  'Noémie',
  'Jérôme',
  'Frédéric',
  'Stéphane',
  'Cédric',
  'Loïc',
  'Raphaël',
  'Jürg',
  'Käthi',
  'Jörg',
  'Björn',
  'Dörte',
  'Sämi',
  'Urs',
  'Reto',
  'Lukas',
  'Anna',
  'Marco',
  'Nadja',
  'Matthias',
  'Céline',
  'Joël',
  'Françoise',
];

export const LAST_NAMES: readonly string[] = [
  'Müller',
  'Schnyder',
  'Bühler',
  'Jäggi',
  'Gerber',
  'Mäder',
  'Zürcher',
  'Gächter',
  'Brönnimann',
  'Lüthi',
  'Kälin',
  'Favre',
  'Rochat',
  'Béguelin',
  'Dubois',
  'Châtelain',
  'Frésard',
  'Perrenoud',
  'Girardin',
  'Jeanneret',
  'Crétin',
  'Mérillat',
  'Schäfer',
  'Rüegg',
  'Wüthrich',
];

export const ARTISTS: readonly string[] = [
  'The Beautiful Leopards',
  'Les Marmottes Électriques',
  'Hügelgrab',
  'Chœur de Fumée',
  'Nordföhn',
  'Velours Brûlé',
  'Die Gletscherspalten',
  'Mâchefer',
  'Sœurs Lumière',
  'Blauer Bär',
  'Zéro Degré',
  'Alpenglühen Orchestra',
  'La Fée Verte',
  'Kristall & Kälte',
];

export const TOURS: readonly string[] = [
  'Summer Tour',
  'Tournée d’automne',
  'Winter Tour',
  'Release Party',
  'Live 2027',
  'Acoustic Night',
];

export const CATEGORIES: Record<Venue['lang'], readonly string[]> = {
  fr: ['Prévente', 'Caisse du soir', 'Étudiant·e', 'Membre', 'Invitation'],
  de: ['Vorverkauf', 'Abendkasse', 'Ermässigt', 'Mitglied', 'Gästeliste'],
};

/** The documented types first; senders also use other words, which the pipeline must accept. */
export const TICKET_TYPES = ['online_presale', 'ticket_proof', 'self_ticket', 'box_office'] as const;

export const CANCELLATION_REASONS = [
  'undef_cancellation',
  'order_mistake',
  'event_cancellation',
  'event_postponed',
  'stolen',
  'test_ticket',
  'selfticket_mistake',
] as const;

export const EMAIL_DOMAINS: readonly string[] = [
  'bluewin.ch',
  'gmail.com',
  'sunrise.ch',
  'protonmail.ch',
  'hispeed.ch',
];
