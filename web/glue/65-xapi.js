  // ==== web/glue/65-xapi.js ============================================================================
  // The learning records as complete xAPI statements (docs/embedding.md, "xAPI statements"): each quiz
  // answer, the quiz's completion with its pass or fail, a finished matching round and the training
  // milestones become one `statement` event (knobs.on('statement'), and knobs:statement on a host page).
  // Knobs never sends them anywhere itself: a host that keeps an LRS forwards them with its own library.

  const XAPI_VERB_BASE = 'http://adlnet.gov/expapi/verbs/';
  const XAPI_ACTIVITY_TYPE = {
    quiz: 'http://adlnet.gov/expapi/activities/assessment',
    question: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    matching: 'http://adlnet.gov/expapi/activities/interaction',
    training: 'http://adlnet.gov/expapi/activities/simulation',
  };
  // Extension keys must be IRIs; a URN names them without pointing at a server that does not exist.
  const XAPI_EXTENSION = (name) => `urn:x-knobs:xapi:${name}`;
  // The app keeps no learner identity: this account stands in until the host puts in its own learner.
  const XAPI_ANONYMOUS = 'anonymous';

  const xapi = { trainingStartedAt: null };

  // Activities are named by the page they run on and the panel, plus the lesson file when a course
  // brings its own (two lessons on one page are two activities). The address's own fragment (settings)
  // and query (an LMS's launch parameters) are left out, so a retake is the same activity.
  function xapiActivityId(panel, extra) {
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const content = params.get('content');
    let id = window.location.origin + window.location.pathname + '#panel=' + encodeURIComponent(panel);
    if (content) id += '&content=' + encodeURIComponent(content);
    if (extra) id += '&' + extra;
    return id;
  }

  // A version 4 UUID from getRandomValues, which (unlike randomUUID) also exists on plain http:// pages.
  function xapiUuid() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function xapiDuration(seconds) {
    const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    return `PT${roundTo(s, 2)}S`;
  }

  // score.scaled within [0, 1] and raw within [min, max], whatever the payload says.
  function xapiScore(score) {
    const min = Number(score && score.min) || 0;
    const max = Math.max(min, Number(score && score.max) || 0);
    const raw = Math.min(max, Math.max(min, Number(score && score.raw) || 0));
    const scaled = max > min ? (raw - min) / (max - min) : 0;
    return { scaled: roundTo(scaled, 4), raw, min, max };
  }

  function xapiStatement(verb, activity, result, lang) {
    const statement = {
      id: xapiUuid(),
      actor: { objectType: 'Agent', account: { homePage: window.location.origin, name: XAPI_ANONYMOUS } },
      verb: { id: XAPI_VERB_BASE + verb, display: { 'en-US': verb } },
      object: {
        objectType: 'Activity', id: activity.id,
        definition: { type: activity.type, name: { 'en-US': activity.name } },
      },
      context: { platform: 'Knobs', extensions: { [XAPI_EXTENSION('app')]: api.version || 'unknown' } },
      timestamp: new Date().toISOString(),
    };
    if (typeof lang === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)) statement.context.language = lang;
    if (activity.parent) statement.context.contextActivities = { parent: [{ objectType: 'Activity', id: activity.parent }] };
    if (result) statement.result = result;
    return statement;
  }

  // The statements one app or glue event stands for (none for the events that are not learning records).
  function xapiStatementsFor(name, payload, lang) {
    const p = payload && typeof payload === 'object' ? payload : {};
    const quiz = { id: xapiActivityId('quiz'), type: XAPI_ACTIVITY_TYPE.quiz, name: 'Knobs quiz: how a language model learns' };
    switch (name) {
      case 'quiz_answered': {
        const question = String(p.question || '');
        const right = p.correct === true;
        const activity = {
          id: xapiActivityId('quiz', 'question=' + encodeURIComponent(question)), type: XAPI_ACTIVITY_TYPE.question,
          name: `Knobs quiz question ${question}`, parent: quiz.id,
        };
        // The app does not time single questions, so an answer has no duration.
        return [xapiStatement('answered', activity, {
          score: xapiScore({ raw: right ? 1 : 0, min: 0, max: 1 }), success: right, completion: true,
          response: Array.isArray(p.selected) ? p.selected.join('[,]') : '',
        }, lang)];
      }
      case 'quiz_completed': {
        const result = {
          score: xapiScore(p.score), success: p.success === true, completion: p.completion !== false,
          duration: xapiDuration(Number(p.duration_s)),
        };
        return [
          xapiStatement('completed', quiz, result, lang),
          xapiStatement(result.success ? 'passed' : 'failed', quiz, result, lang),
        ];
      }
      case 'matching_completed': {
        const score = xapiScore({ raw: p.score, min: 0, max: p.max });
        const activity = { id: xapiActivityId('matching'), type: XAPI_ACTIVITY_TYPE.matching, name: 'Knobs matching game' };
        return [xapiStatement('completed', activity, {
          score, success: score.max > 0 && score.raw === score.max, completion: true,
          duration: xapiDuration(Number(p.duration_s)),
          extensions: { [XAPI_EXTENSION('round')]: Number(p.round) || 0, [XAPI_EXTENSION('mistakes')]: Number(p.mistakes) || 0 },
        }, lang)];
      }
      case 'training': {
        const activity = { id: xapiActivityId('pretrain'), type: XAPI_ACTIVITY_TYPE.training, name: 'Knobs pre-training run' };
        const now = performance.now();
        if (p.milestone === 'started') xapi.trainingStartedAt = now;
        const extensions = { [XAPI_EXTENSION('step')]: Number(p.step) || 0 };
        if (typeof p.loss === 'number' && Number.isFinite(p.loss)) extensions[XAPI_EXTENSION('loss')] = p.loss;
        if (typeof p.target === 'number') extensions[XAPI_EXTENSION('target')] = p.target;
        if (typeof p.reason === 'string') extensions[XAPI_EXTENSION('reason')] = p.reason;
        const result = { completion: false, extensions };
        if (xapi.trainingStartedAt !== null) result.duration = xapiDuration((now - xapi.trainingStartedAt) / 1000);
        // A diverged run is a failed attempt; the other milestones only say how far it got.
        if (p.milestone === 'diverged') result.success = false;
        const verb = { started: 'attempted', steps: 'progressed', diverged: 'failed', stopped: 'suspended' }[p.milestone];
        return verb ? [xapiStatement(verb, activity, result, lang)] : [];
      }
      default:
        return [];
    }
  }

  // Every app and glue event passes through here; a learning record becomes `statement` events.
  const XAPI_EVENTS = new Set(['quiz_answered', 'quiz_completed', 'matching_completed', 'training']);
  listeners.set('*', (listeners.get('*') || new Set()).add((name, payload) => {
    if (!XAPI_EVENTS.has(name)) return;   // the state (for the language) is read only for a learning record
    const snapshot = safeState();
    for (const statement of xapiStatementsFor(name, payload, snapshot ? snapshot.lang : null)) {
      emitLocal('statement', { statement });
    }
  }));
