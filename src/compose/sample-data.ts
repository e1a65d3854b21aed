/**
 * Demo mode's sample data (issue 15), so that every page of the console has something to
 * show at the first sign-in: an address book (25 contacts with a custom field, in two
 * groups), a campaign to one group (run through the built-in simulator to its end), and
 * some traffic: messages delivered, undelivered and failed, and two inbound replies.
 *
 * Seeded once: a second start finds the "Customers" group and adds nothing. Only `npm
 * start`'s demo mode asks for it (StartOptions.sampleData); tests' Hermods do not, since
 * they count rows.
 */
import type { Logger } from 'pino';
import type { Engine } from '../engine/index.js';
import { draftOf, type Gateway } from '../gateway/index.js';
import type { SimulatorConnector } from '../connectors/index.js';

/** The demo's numbers that fail (permanently, at submit) and that are not delivered (a receipt says so). */
export const SAMPLE_FAILING = { failed: '447700900666', undelivered: '447700900777' } as const;

const NAMES = [
  ['Ada', 'Lovelace', 'London'],
  ['Alan', 'Turing', 'Manchester'],
  ['Grace', 'Hopper', 'New York'],
  ['Edsger', 'Dijkstra', 'Amsterdam'],
  ['Barbara', 'Liskov', 'Boston'],
  ['Donald', 'Knuth', 'Stanford'],
  ['Frances', 'Allen', 'Peru'],
  ['Ken', 'Thompson', 'New Orleans'],
  ['Margaret', 'Hamilton', 'Paoli'],
  ['Dennis', 'Ritchie', 'Bronxville'],
  ['Radia', 'Perlman', 'Portsmouth'],
  ['Tim', 'Berners-Lee', 'London'],
  ['Katherine', 'Johnson', 'White Sulphur Springs'],
  ['John', 'McCarthy', 'Boston'],
  ['Sophie', 'Wilson', 'Leeds'],
  ['Niklaus', 'Wirth', 'Winterthur'],
  ['Hedy', 'Lamarr', 'Vienna'],
  ['Linus', 'Torvalds', 'Helsinki'],
  ['Shafi', 'Goldwasser', 'New York'],
  ['Guido', 'van Rossum', 'Haarlem'],
  ['Anita', 'Borg', 'Chicago'],
  ['Bjarne', 'Stroustrup', 'Aarhus'],
  ['Mary', 'Keller', 'Cleveland'],
  ['Ole-Johan', 'Dahl', 'Mandal'],
  ['Joan', 'Clarke', 'London'],
] as const;

const number = (i: number) => `+4477009001${String(i).padStart(2, '0')}`;

/** Seeds the sample data into `username`'s account unless it is there already. */
export async function seedSampleData(
  o: { engine: Engine; gateway: Gateway; simulator: SimulatorConnector | undefined; log: Logger },
  username: string,
): Promise<void> {
  const { engine, gateway } = o;
  const user = await gateway.services.accounts.byName(username);
  if (!user) return;
  const groups = await engine.contacts.groups(user.id);
  if (groups.some((g) => g.name === 'Customers')) return;
  const customers = await engine.contacts.createGroup(user.id, 'Customers', 'Sample address book');
  const staff = await engine.contacts.createGroup(user.id, 'Staff', 'Who gets the opening-hours news');
  const contacts = NAMES.map(([firstName, lastName, city], i) => ({
    msisdn: number(i),
    firstName,
    lastName,
    fields: { city },
  }));
  await engine.contacts.save(user.id, contacts.slice(0, 20), customers.id);
  await engine.contacts.save(user.id, contacts.slice(20), staff.id);

  const campaign = await engine.campaigns.create(user, {
    name: 'Opening hours (sample)',
    from: 'Hermod',
    text: 'We now open at 8:00 on weekdays. See you soon!',
    audience: { groups: [staff.id] },
  });
  await engine.campaigns.start(user, campaign.id);

  o.simulator?.simulator.addScript({ prefix: SAMPLE_FAILING.failed, status: 0x0b });
  o.simulator?.simulator.addScript({ prefix: SAMPLE_FAILING.undelivered, outcome: 'undelivered' });
  const traffic = [
    [number(0), 'Your order 1042 has shipped.'],
    [number(1), 'Your code is 381 204.'],
    [number(2), 'Reminder: your appointment is tomorrow at 10:30.'],
    [number(3), 'Thanks for your order!'],
    [number(4), 'Your parcel is out for delivery.'],
    [`+${SAMPLE_FAILING.undelivered}`, 'Your order 1043 has shipped.'],
    [`+${SAMPLE_FAILING.failed}`, 'Your code is 993 117.'],
  ] as const;
  for (const [to, text] of traffic)
    await gateway.submit(
      user,
      draftOf({
        systemId: user.username,
        origin: 'rest',
        from: 'Hermod',
        to: to.slice(1),
        content: { text },
      }),
    );
  void sampleReplies(o, [number(0), number(2)]);
  o.log.info({ account: username }, 'demo: sample contacts, campaign and traffic seeded');
}

/** Two replies from customers, once the simulator is bound (its MOs go to the demo account). */
async function sampleReplies(
  o: { simulator: SimulatorConnector | undefined; log: Logger },
  from: string[],
): Promise<void> {
  const sim = o.simulator;
  if (!sim) return;
  for (let i = 0; i < 100 && !sim.ready; i++) await new Promise((r) => setTimeout(r, 100));
  if (!sim.ready) return o.log.warn('demo: the simulator did not bind; no sample replies');
  const texts = ['Thanks, got it!', 'Can we move it to 11:00?'];
  from.forEach((f, i) => sim.simulator.sendMo('hermod', { from: f.slice(1), to: '12345', text: texts[i] }));
}
