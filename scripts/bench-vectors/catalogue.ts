/**
 * A generated, labelled product catalogue for judging similar-product answers. Each product belongs to
 * one of a few categories (its label); its text is built the way a real catalogue is written:
 *   - several suppliers name a category differently ("Footwear", "Shoes", "Sneakers & Boots"), so the
 *     category field alone does not give the label away to a word matcher;
 *   - a category's products use different nouns for related things (sofa, couch, settee, loveseat);
 *   - brands sell in many categories, and names carry model codes ("Nordvik KX-220");
 *   - descriptions share marketing phrases across categories ("Ships in two days", colours, materials),
 *     which put the same words into unrelated products.
 * A good embedder has to see that a couch and a settee are the same kind of thing; a word-hashing one
 * mostly matches the shared marketing words. Deterministic for a seed.
 */
export interface CatalogueProduct {
  readonly id: string;
  readonly label: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
}

interface CategorySpec {
  readonly label: string;
  readonly aliases: readonly string[];
  readonly nouns: readonly string[];
  readonly traits: readonly string[];
  readonly uses: readonly string[];
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    label: 'footwear',
    aliases: ['Footwear', 'Shoes', 'Sneakers & Boots'],
    nouns: [
      'running shoe',
      'trainer',
      'sneaker',
      'hiking boot',
      'sandal',
      'loafer',
      'trail runner',
      'slipper',
      'clog',
      'ankle boot',
      'plimsoll',
      'brogue',
      'flip-flop',
      'moccasin',
    ],
    traits: ['cushioned sole', 'breathable upper', 'non-slip tread', 'padded heel', 'quick laces'],
    uses: ['for long runs', 'for the trail', 'for walking all day', 'for the gym'],
  },
  {
    label: 'seating',
    aliases: ['Living Room', 'Furniture', 'Sofas & Chairs'],
    nouns: [
      'sofa',
      'couch',
      'settee',
      'loveseat',
      'armchair',
      'recliner',
      'sectional',
      'chaise longue',
      'futon',
      'ottoman',
      'divan',
      'sofa bed',
      'footstool',
      'wingback chair',
    ],
    traits: ['deep cushions', 'solid hardwood frame', 'removable covers', 'wide armrests'],
    uses: ['for the living room', 'for movie nights', 'for family lounging', 'for small apartments'],
  },
  {
    label: 'computing',
    aliases: ['Computers', 'Electronics', 'Laptops & PCs'],
    nouns: [
      'laptop',
      'notebook computer',
      'ultrabook',
      'desktop PC',
      'chromebook',
      'workstation',
      'tablet',
      'mini PC',
      'all-in-one computer',
      'gaming rig',
      'netbook',
      'convertible 2-in-1',
    ],
    traits: ['fast processor', '16 GB of RAM', 'solid-state drive', 'long battery life', 'backlit keyboard'],
    uses: ['for work and study', 'for programming', 'for gaming', 'for video editing'],
  },
  {
    label: 'coffee',
    aliases: ['Kitchen', 'Small Appliances', 'Coffee & Tea'],
    nouns: [
      'espresso machine',
      'coffee maker',
      'coffee grinder',
      'french press',
      'pour-over dripper',
      'moka pot',
      'cold brew jar',
      'milk steamer',
      'bean-to-cup machine',
      'percolator',
      'cafetiere',
      'capsule brewer',
    ],
    traits: ['rich crema', 'adjustable grind', 'programmable brew timer', 'milk frother', 'thermal carafe'],
    uses: ['for the morning brew', 'for coffee lovers', 'for the office kitchen', 'for barista drinks'],
  },
  {
    label: 'cookware',
    aliases: ['Kitchen', 'Cookware', 'Pots & Pans'],
    nouns: [
      'frying pan',
      'skillet',
      'saucepan',
      'stock pot',
      'wok',
      'dutch oven',
      'griddle',
      'casserole dish',
      'sauté pan',
      'roasting tin',
      'pressure cooker',
      'crepe pan',
    ],
    traits: ['non-stick coating', 'cast iron', 'even heating', 'oven safe handle', 'induction ready'],
    uses: ['for searing steak', 'for everyday cooking', 'for slow stews', 'for stir fries'],
  },
  {
    label: 'audio',
    aliases: ['Electronics', 'Audio', 'Headphones & Speakers'],
    nouns: [
      'headphones',
      'earbuds',
      'bluetooth speaker',
      'soundbar',
      'over-ear headset',
      'earphones',
      'subwoofer',
      'turntable',
      'stereo amplifier',
      'bookshelf speakers',
      'in-ear monitors',
      'radio',
    ],
    traits: ['noise cancelling', 'deep bass', 'wireless pairing', '30-hour battery', 'clear microphone'],
    uses: ['for music on the go', 'for calls', 'for the commute', 'for home cinema'],
  },
  {
    label: 'camping',
    aliases: ['Outdoors', 'Camping', 'Adventure Gear'],
    nouns: [
      'tent',
      'sleeping bag',
      'camping stove',
      'backpacking pack',
      'hammock',
      'sleeping pad',
      'bivvy sack',
      'camp chair',
      'head torch',
      'water filter',
      'tarp shelter',
      'trekking poles',
    ],
    traits: ['waterproof shell', 'packs down small', 'rated to minus five', 'easy pitch poles', 'ultralight'],
    uses: ['for weekend camping', 'for backpacking trips', 'for festivals', 'for the backcountry'],
  },
  {
    label: 'toys',
    aliases: ['Kids', 'Toys & Games', 'Playroom'],
    nouns: [
      'building blocks',
      'board game',
      'jigsaw puzzle',
      'toy car',
      'plush teddy bear',
      'doll house',
      'train set',
      'action figure',
      'kite',
      'rocking horse',
      'card game',
      'marble run',
    ],
    traits: ['hours of play', 'safe for toddlers', 'colourful pieces', 'educational fun', 'ages 3 and up'],
    uses: ['for family game night', 'for birthday gifts', 'for rainy afternoons', 'for young builders'],
  },
  {
    label: 'fitness',
    aliases: ['Sports', 'Fitness', 'Home Gym'],
    nouns: [
      'dumbbell set',
      'kettlebell',
      'yoga mat',
      'resistance bands',
      'exercise bike',
      'treadmill',
      'rowing machine',
      'pull-up bar',
      'foam roller',
      'skipping rope',
      'weight bench',
      'elliptical trainer',
    ],
    traits: ['adjustable weight', 'non-slip grip', 'compact frame', 'quiet flywheel', 'heart-rate sensor'],
    uses: ['for home workouts', 'for strength training', 'for cardio', 'for stretching'],
  },
  {
    label: 'garden',
    aliases: ['Garden', 'Outdoor Living', 'Lawn & Patio'],
    nouns: [
      'lawn mower',
      'hedge trimmer',
      'garden hose',
      'leaf blower',
      'pruning shears',
      'wheelbarrow',
      'rake',
      'watering can',
      'strimmer',
      'compost bin',
      'spade',
      'sprinkler',
    ],
    traits: ['cordless motor', 'sharp steel blades', 'kink-free hose', 'sturdy wheels', 'low noise'],
    uses: ['for tidy lawns', 'for the vegetable patch', 'for autumn leaves', 'for shaping hedges'],
  },
  {
    label: 'bedding',
    aliases: ['Home', 'Bedroom', 'Bed & Bath'],
    nouns: [
      'duvet',
      'pillow',
      'bed sheets',
      'mattress topper',
      'comforter',
      'weighted blanket',
      'pillowcase',
      'quilt',
      'bedspread',
      'throw blanket',
      'mattress protector',
      'eiderdown',
    ],
    traits: ['soft cotton', 'hypoallergenic fill', 'cooling fabric', 'machine washable', 'high thread count'],
    uses: ['for restful sleep', 'for the guest room', 'for hot sleepers', 'for cosy winter nights'],
  },
  {
    label: 'lighting',
    aliases: ['Home', 'Lighting', 'Lamps & Bulbs'],
    nouns: [
      'floor lamp',
      'desk lamp',
      'pendant light',
      'LED bulb',
      'string lights',
      'ceiling fixture',
      'chandelier',
      'wall sconce',
      'night light',
      'lantern',
      'spotlight',
      'table lamp',
    ],
    traits: ['dimmable', 'warm white glow', 'energy saving', 'adjustable arm', 'smart app control'],
    uses: ['for reading corners', 'for the home office', 'for cosy evenings', 'for the dining table'],
  },
];

/** Invented brands, each selling across categories like real ones do. */
const BRANDS = [
  'Nordvik',
  'Altura',
  'Kestrel',
  'Brightway',
  'Oakridge',
  'Veloce',
  'Lumen & Co',
  'Hartwell',
  'Tundra',
  'Pinecrest',
  'Solace',
  'Ironbark',
  'Mistral',
  'Cobalt',
  'Fenwick',
  'Halcyon',
  'Redfern',
  'Quill',
  'Summit',
  'Arden',
];

/** Cross-category filler: real catalogues repeat these everywhere, which misleads word matching. */
const COLOURS = ['black', 'white', 'grey', 'navy', 'red', 'green', 'oak', 'silver'];
const QUALITIES = [
  'premium',
  'classic',
  'compact',
  'lightweight',
  'durable',
  'modern',
  'essential',
  'deluxe',
];
/** Attributes and uses that fit products of any category. */
const SHARED_TRAITS = [
  'easy to clean',
  'water resistant',
  'compact design',
  'rechargeable battery',
  'recycled materials',
  'soft-touch finish',
  'tool-free assembly',
  'stainless steel details',
  'lightweight build',
  'two-year warranty',
];
const SHARED_USES = [
  'as a gift',
  'for everyday use',
  'for small spaces',
  'for the whole family',
  'for travel',
];
const MARKETING = [
  'Great value for everyday use.',
  'Ships in two days.',
  'Backed by a two-year warranty.',
  'A customer favourite this season.',
  'Available in several colours.',
  'Designed in Europe, built to last.',
  'Easy returns within 30 days.',
];

/** mulberry32: small, fast and good enough to vary a catalogue. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const CATEGORY_COUNT = CATEGORIES.length;

export function generateCatalogue(size: number, seed = 42): CatalogueProduct[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const products: CatalogueProduct[] = [];
  for (let index = 0; index < size; index++) {
    const spec = CATEGORIES[index % CATEGORIES.length]!;
    const noun = pick(spec.nouns);
    const model = `${String.fromCharCode(65 + Math.floor(next() * 26))}${String.fromCharCode(65 + Math.floor(next() * 26))}-${100 + Math.floor(next() * 900)}`;
    const name = `${pick(BRANDS)} ${pick(QUALITIES)} ${pick(COLOURS)} ${noun} ${model}`;
    // Half the attributes and uses are generic: real descriptions mix specific and shared wording.
    const trait = next() < 0.5 ? pick(spec.traits) : pick(SHARED_TRAITS);
    const use = next() < 0.5 ? pick(spec.uses) : pick(SHARED_USES);
    const description = `${trait}, ${use}. ${pick(MARKETING)} ${pick(MARKETING)}`;
    products.push({
      id: `p${index}`,
      label: spec.label,
      name,
      description: description.replace(/^./, (first) => first.toUpperCase()),
      category: pick(spec.aliases),
    });
  }
  return products;
}
