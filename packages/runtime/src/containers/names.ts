import { randomBytes, randomInt } from 'node:crypto';

// A subset of Docker's namesgenerator lists (moby pkg/namesgenerator).
const ADJECTIVES = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful',
  'hungry', 'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic',
  'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant',
  'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const SURNAMES = [
  'albattani', 'allen', 'almeida', 'archimedes', 'ardinghelli', 'babbage', 'banach', 'bardeen', 'bartik', 'bassi',
  'bell', 'benz', 'bhabha', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'boyd', 'brahmagupta',
  'brattain', 'brown', 'carson', 'cerf', 'chandrasekhar', 'clarke', 'curie', 'darwin', 'davinci', 'dijkstra',
  'einstein', 'elion', 'engelbart', 'euclid', 'euler', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo',
  'gates', 'goldberg', 'goldstine', 'goodall', 'hamilton', 'hawking', 'heisenberg', 'hertz', 'hodgkin', 'hoover',
  'hopper', 'hypatia', 'jackson', 'jang', 'jennings', 'johnson', 'kalam', 'kepler', 'khorana', 'knuth',
  'kowalevski', 'lalande', 'lamarr', 'leakey', 'lovelace', 'lumiere', 'mayer', 'mccarthy', 'mcclintock', 'meitner',
  'mendel', 'merkle', 'montalcini', 'moore', 'morse', 'napier', 'newton', 'nobel', 'noether', 'pascal',
  'pasteur', 'payne', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan', 'ride', 'ritchie',
  'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swartz', 'tesla', 'thompson', 'torvalds',
  'turing', 'villani', 'wescoff', 'wiles', 'williams', 'wilson', 'wing', 'wozniak', 'wright', 'yalow', 'yonath',
];

function pick(list: readonly string[]): string {
  return list[randomInt(list.length)] as string;
}

/**
 * A Docker-style "adjective_surname" name not in `taken`. After a few collisions a digit is
 * appended, as Docker does on retry; "boring_wozniak" is never generated (Docker's joke).
 */
export function generateName(taken: (name: string) => boolean, random: (list: readonly string[]) => string = pick): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    let name = `${random(ADJECTIVES)}_${random(SURNAMES)}`;
    if (name === 'boring_wozniak') continue;
    if (attempt >= 3) name += String(randomInt(10));
    if (!taken(name)) return name;
  }
  // 120×120×10 names all taken: fall back to something unique.
  return `berth_${randomBytes(6).toString('hex')}`;
}

/** Docker's rule for container names. A leading "/" (as Docker's API shows names) is accepted. */
export const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** The name without Docker's leading "/". */
export function normalizeName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/** A 64-hex container id, like Docker's. */
export function generateId(): string {
  return randomBytes(32).toString('hex');
}

export const ID_PATTERN = /^[0-9a-f]{64}$/;
