import { expect } from 'chai';
import { Enum, Info, Registry, defaultRegistry } from '../../lib/index.js';

describe('Info', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('takes both constructor forms, and the registry default / null', () => {
    const a = new Info('build', 'Build information', [], { registry });
    const b = new Info({ name: 'runtime', help: 'Runtime', labelNames: ['part'], registry });
    expect(registry.getMetric('build')).to.equal(a);
    expect(registry.getMetric('runtime')).to.equal(b);
    const d = new Info('prometric_spec_info_default', 'h');
    try {
      expect(defaultRegistry.getMetric('prometric_spec_info_default')).to.equal(d);
    } finally {
      defaultRegistry.unregister(d);
    }
    expect(new Info({ name: 'prometric_spec_info_null', help: 'h', registry: null }).registry).to.equal(null);
    expect(defaultRegistry.getMetric('prometric_spec_info_null')).to.equal(undefined);
  });

  it('info({...}) is exposed as name_info with value 1 (a gauge in text, info in OpenMetrics)', async () => {
    new Info('build', 'Build information', [], { registry }).info({ version: '1.2', revision: 'abc"1' });
    expect(await registry.metrics()).to.equal(
      '# HELP build_info Build information\n# TYPE build_info gauge\nbuild_info{version="1.2",revision="abc\\"1"} 1\n',
    );
    expect(await registry.metrics('openmetrics')).to.equal(
      '# HELP build Build information\n# TYPE build info\nbuild_info{version="1.2",revision="abc\\"1"} 1\n# EOF\n',
    );
  });

  it('is exposed with no info labels before info() is called', async () => {
    new Info('build', 'B', [], { registry });
    expect(await registry.metrics()).to.equal('# HELP build_info B\n# TYPE build_info gauge\nbuild_info 1\n');
  });

  it('a name ending in _info names the same family', () => {
    const a = new Info('build_info', 'B', [], { registry });
    expect(a.name).to.equal('build');
    expect(new Info('build', 'B', [], { registry })).to.equal(a);
  });

  it('info() replaces earlier facts, and copies the values', async () => {
    const i = new Info('build', 'B', [], { registry });
    const facts: Record<string, string> = { version: '1' };
    i.info(facts);
    facts.version = '2';
    facts.extra = 'x';
    expect(await registry.metrics()).to.include('build_info{version="1"} 1\n');
    i.info({ branch: 'main' });
    expect(await registry.metrics()).to.include('build_info{branch="main"} 1\n');
  });

  it('works per label set', async () => {
    const i = new Info('component', 'C', ['name'], { registry });
    i.labels('db').info({ version: '14' });
    i.labels({ name: 'cache' }).info({ version: '7' });
    const body = await registry.metrics();
    expect(body).to.include('component_info{name="db",version="14"} 1\n');
    expect(body).to.include('component_info{name="cache",version="7"} 1\n');
  });

  it('refuses bad info labels with a TypeError naming the metric, keeping the earlier facts', async () => {
    const i = new Info('build', 'B', ['part'], { registry });
    i.labels('x').info({ version: '1' });
    const before = await registry.metrics();
    expect(() => i.labels('x').info({ part: 'y' })).to.throw(TypeError, /build.*"part"/);
    expect(() => i.labels('x').info({ '': 'y' })).to.throw(TypeError, /build.*label name ""/);
    expect(() => i.labels('x').info({ 'bad\uD800': 'y' })).to.throw(TypeError, /build.*"bad\\ud800"/);
    expect(() => i.labels('x').info({ __reserved: 'y' })).to.throw(TypeError, /build.*"__reserved"/);
    expect(() => i.labels('x').info({ version: 2 as unknown as string })).to.throw(TypeError, /build.*"version".*2/);
    expect(() => i.labels('x').info(null as unknown as Record<string, string>)).to.throw(TypeError, /build/);
    expect(await registry.metrics()).to.equal(before);
  });

  it('refuses a unit (OpenMetrics info families have none)', () => {
    expect(() => new Info({ name: 'build', help: 'B', unit: 'seconds', registry })).to.throw(TypeError, /build.*unit/);
    expect(registry.getMetrics()).to.deep.equal([]);
  });
});

describe('Enum', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('takes both constructor forms, and the registry default / null', () => {
    const a = new Enum('task_state', 'State', [], { states: ['idle', 'busy'], registry });
    const b = new Enum({ name: 'job_state', help: 'State', labelNames: ['job'], states: ['idle', 'busy'], registry });
    expect(a.states).to.deep.equal(['idle', 'busy']);
    expect(registry.getMetric('task_state')).to.equal(a);
    expect(registry.getMetric('job_state')).to.equal(b);
    const d = new Enum({ name: 'prometric_spec_enum_default', help: 'h', states: ['a'] });
    try {
      expect(defaultRegistry.getMetric('prometric_spec_enum_default')).to.equal(d);
    } finally {
      defaultRegistry.unregister(d);
    }
    expect(new Enum({ name: 'prometric_spec_enum_null', help: 'h', states: ['a'], registry: null }).registry).to.equal(
      null,
    );
    expect(defaultRegistry.getMetric('prometric_spec_enum_null')).to.equal(undefined);
  });

  it('starts in the first state; state() moves it; one series per state (stateset in OpenMetrics)', async () => {
    const e = new Enum({ name: 'task_state', help: 'State', states: ['starting', 'running', 'stopped'], registry });
    expect(e.get()).to.equal('starting');
    expect(await registry.metrics()).to.equal(
      '# HELP task_state State\n# TYPE task_state gauge\ntask_state{task_state="starting"} 1\ntask_state{task_state="running"} 0\ntask_state{task_state="stopped"} 0\n',
    );
    e.state('running');
    expect(e.get()).to.equal('running');
    expect(await registry.metrics('openmetrics')).to.equal(
      '# HELP task_state State\n# TYPE task_state stateset\ntask_state{task_state="starting"} 0\ntask_state{task_state="running"} 1\ntask_state{task_state="stopped"} 0\n# EOF\n',
    );
  });

  it('works per label set', async () => {
    const e = new Enum('job_state', 'S', ['job'], { states: ['idle', 'busy'], registry });
    e.labels('a').state('busy');
    e.labels({ job: 'b' });
    const body = await registry.metrics();
    expect(body).to.include('job_state{job="a",job_state="idle"} 0\njob_state{job="a",job_state="busy"} 1\n');
    expect(body).to.include('job_state{job="b",job_state="idle"} 1\njob_state{job="b",job_state="busy"} 0\n');
  });

  it('an unknown state is a RangeError naming the enum and the state, and changes nothing', async () => {
    const e = new Enum({ name: 'task_state', help: 'S', states: ['idle', 'busy'], registry });
    e.state('busy');
    const before = await registry.metrics();
    expect(() => e.state('crashed' as 'idle')).to.throw(RangeError, /task_state.*"crashed"/);
    expect(e.get()).to.equal('busy');
    expect(await registry.metrics()).to.equal(before);
  });

  it('escapes state names in the state label', async () => {
    new Enum({ name: 'odd', help: 'S', states: ['a"b', 'c\\d', 'e\nf'], registry });
    expect(await registry.metrics()).to.include('odd{odd="a\\"b"} 1\nodd{odd="c\\\\d"} 0\nodd{odd="e\\nf"} 0\n');
  });

  it('validates states, the name and the labels, naming the enum', () => {
    expect(() => new Enum({ name: 'e1', help: 'h', states: [], registry })).to.throw(TypeError, /e1.*states/);
    expect(() => new Enum({ name: 'e2', help: 'h', states: undefined as unknown as string[], registry })).to.throw(
      TypeError,
      /e2/,
    );
    expect(() => new Enum({ name: 'e3', help: 'h', states: ['a', 'a'], registry })).to.throw(TypeError, /e3.*"a"/);
    expect(() => new Enum({ name: 'e4', help: 'h', states: ['a', 1 as unknown as string], registry })).to.throw(
      TypeError,
      /e4.*1/,
    );
    expect(() => new Enum({ name: 'e5', help: 'h', labelNames: ['e5'], states: ['a'], registry })).to.throw(
      TypeError,
      /e5/,
    );
    expect(() => new Enum({ name: 'e:6', help: 'h', states: ['a'], registry })).to.throw(TypeError, /e:6/);
    expect(() => new Enum({ name: 'e7', help: 'h', unit: 'seconds', states: ['a'], registry })).to.throw(
      TypeError,
      /e7.*unit/,
    );
    expect(registry.getMetrics()).to.deep.equal([]);
  });

  it('a different set of states is a conflicting definition', () => {
    new Enum({ name: 'e', help: 'h', states: ['a', 'b'], registry });
    expect(() => new Enum({ name: 'e', help: 'h', states: ['a', 'c'], registry })).to.throw(Error, /e.*states/);
  });
});
