/**
 * The house's floors (docs/architecture.md): a room may import only from floors below it (or
 * its own). `npm run lint` runs this, so the layering stays true. Tests sit beside the code they
 * test and may import what that code may, plus test/support; scripts/, test/ and bin/ stand
 * outside the house: they may use anything, and nothing in the house imports them.
 */
const FLOORS = [
  ['config'], // the settings (one validated object, built once, passed down) and where the project is
  ['sgn'], // the mathematics: pure
  ['formats', 'db', 'local'], // file formats, storage, local services
  ['sweep'], // the sweep domain: specs, axes, cells, compute, queries
  ['contracts'], // the orchestration contract: activity interface, signals, failures, retries
  ['workflows', 'activities'], // deterministic workflow code; the activities it schedules
  ['workers'], // a worker process: activities + the workflow bundle
  ['app'], // start / resume / pause / cancel / status: Temporal and the database together
  ['report'], // tables, figures and reports over stored results
  ['dashboard'], // the live web dashboard (sgn dashboard): serves report/'s figures and the queries
  ['cli'], // the `sgn` command
];

const path = (rooms) => `^(${rooms.join('|')})/`;

const upward = FLOORS.flatMap((rooms, floor) => {
  const above = FLOORS.slice(floor + 1).flat();
  return above.length === 0
    ? []
    : [
        {
          name: `no-upward-from-${rooms.join('-')}`,
          comment: `${rooms.join(', ')} may import only from floors below: ${FLOORS.slice(0, floor).flat().join(', ') || '(none)'}`,
          severity: 'error',
          // Tests sit beside what they test and may build their inputs with the floors above
          // (a maths test reading a game file through formats/, say).
          from: { path: path(rooms), pathNot: '\\.test\\.ts$' },
          to: { path: path(above) },
        },
      ];
});

// Rooms on one floor do not know each other, except where the floor's order says so.
const sideways = [
  ['formats', ['db', 'local']],
  ['db', ['formats', 'local']],
  ['local', ['formats', 'db']],
  ['workflows', ['activities']],
  ['activities', ['workflows']],
].map(([room, others]) => ({
  name: `no-sideways-from-${room}`,
  severity: 'error',
  from: { path: path([room]) },
  to: { path: path(others) },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'no-circular',
      comment: 'Files that import each other in a loop cannot be read (or changed) one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'house-never-imports-outside',
      comment: 'scripts/, test/ and bin/ stand outside the house: nothing inside depends on them.',
      severity: 'error',
      from: { path: path(FLOORS.flat()), pathNot: '\\.test\\.ts$' },
      to: { path: '^(scripts|test|bin)/' },
    },
    {
      name: 'workflows-stay-light',
      comment:
        'Workflow code runs in a deterministic sandbox: no I/O, no database, no heavy maths (only contracts and pure settings).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(db|sgn|formats|local)/|node_modules/(@prisma|pg|ml-matrix|zod)' },
    },
    {
      name: 'maths-reads-no-files',
      comment: 'sgn/ is pure mathematics: file formats (zod schemas) live in formats/.',
      severity: 'error',
      from: { path: '^sgn/' },
      to: { path: 'node_modules/(zod|yaml)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|generated|\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
