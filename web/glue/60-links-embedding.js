  // ==== web/glue/60-links-embedding.js =================================================================
  // Links (the address follows the app's state), the training milestones read from the state, and the
  // messages to and from a host page that embeds the app in an iframe, origins checked both ways.

  // ---- links: the address follows the app's state -----------------------------------------------------

  const links = {
    baseline: null,   // the fragment of the app as it started (after any link in the address)
    address: '',      // the fragment in the address as the glue last saw or wrote it
    written: null,    // the app's fragment the glue last wrote (the browser may spell it differently)
    warned: false,
  };

  function addressWithoutHash() {
    return window.location.href.split('#')[0];
  }

  // The fragment of the current state ("#v=2&..."), or null when this build cannot make links.
  function appFragment() {
    if (!runtime.running || fatalError) return null;
    const reply = api.command('link');
    return reply && reply.ok && typeof reply.data === 'string' && reply.data ? reply.data : null;
  }

  function loadLink(fragment) {
    const reply = api.command('load_link', { fragment });
    if (reply.ok) return true;
    if (/unknown command/.test(reply.error || '')) console.warn('[knobs] this build cannot load links; ignoring', fragment);
    else notify(() => fill(noticeStrings().linkRefused, { reason: reply.error }), true);
    return false;
  }

  // At start, before the first frame: the link in the address becomes the state the learner sees.
  function startLinks() {
    const hash = window.location.hash;
    if (hash.length > 1) loadLink(hash);
    links.baseline = appFragment();
    links.address = hash;
    // Typing a new fragment, an in-page link, or Back/Forward between fragments. (replaceState, used
    // below to follow the state, fires no hashchange, so this never loops.)
    window.addEventListener('hashchange', () => {
      links.address = window.location.hash;
      links.written = null;
      if (window.location.hash.length > 1 && !fatalError) loadLink(window.location.hash);
    });
  }

  // Keeps the address bar on the link to the current state, without adding history entries. A fresh app
  // keeps a bare address until something changes.
  function followLink(snapshot) {
    if (inFrame || typeof snapshot.fragment !== 'string' || !snapshot.fragment) return;
    const fragment = snapshot.fragment;
    const current = window.location.hash;
    // An address that changed since we last looked is a new link on its way to `hashchange`: it must be
    // loaded, not overwritten with the state from before it.
    if (current !== links.address) return;
    if (fragment === current || fragment === links.written || (current.length <= 1 && fragment === links.baseline)) return;
    try {
      window.history.replaceState(window.history.state, '', addressWithoutHash() + fragment);
      links.address = window.location.hash;
      links.written = fragment;
    } catch (error) {
      if (!links.warned) console.warn('[knobs] could not update the address:', error);
      links.warned = true;
    }
  }

  function linkUrl() {
    const fragment = appFragment();
    return fragment === null ? null : addressWithoutHash() + fragment;
  }

  // The "copy link" button and knobs.copyLink(): the address of the current state to the clipboard,
  // with a notice saying so (and what the link cannot carry, such as the learner's own text).
  async function copyLink() {
    const url = linkUrl();
    if (url === null) {
      notify(() => noticeStrings().linkUnavailable, true);
      return null;
    }
    const copied = await writeClipboard(url);
    const snapshot = safeState();
    const notes = snapshot && Array.isArray(snapshot.link_notes) ? snapshot.link_notes.filter((note) => typeof note === 'string') : [];
    if (copied) notify(() => [noticeStrings().linkCopied, ...notes].join(' '), false);
    else notify(() => noticeStrings().linkNotCopied, true);
    emitLocal('linkcopied', { url, copied });
    return url;
  }

  // ---- training milestones (from the state; the host page and knobs.on('training') get them) ----------

  const training = { running: false, step: 0, next: 0, divergence: '' };

  function trackTraining(snapshot) {
    const run = snapshot.lab && snapshot.lab.pretrain;
    if (!run || typeof run.step !== 'number') return;
    const report = (milestone, extra) => emitLocal('training', Object.assign({
      milestone, step: run.step, loss: run.loss ?? null, val_loss: run.val_loss ?? null, tokens_seen: run.tokens_seen ?? null,
    }, extra));
    if (run.step < training.step) {
      // A new run (reset, or new settings): its milestones are still ahead.
      training.next = 0;
      training.divergence = '';
    }
    training.step = run.step;
    if (run.running && !training.running) report('started');
    const milestones = catalogList(snapshot, 'training_milestones');
    while (training.next < milestones.length && run.step >= milestones[training.next]) {
      report('steps', { target: milestones[training.next] });
      training.next++;
    }
    const divergence = typeof run.divergence === 'string' ? run.divergence : '';
    if (divergence && divergence !== training.divergence) report('diverged', { reason: divergence });
    if (!run.running && training.running) report('stopped');
    training.divergence = divergence;
    training.running = Boolean(run.running);
  }

  // ---- embedding: messages to and from the host page (docs/embedding.md) -------------------------------

  const EMBED_SCHEMA = 1;
  const inFrame = window.parent !== window;
  // Read once, from the address the page was opened with: a later fragment cannot redirect the events.
  const embed = readEmbedOptions();

  function validOrigin(text) {
    if (typeof text !== 'string' || text === '') return null;
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text ? text : null;
    } catch {
      return null;
    }
  }

  function readEmbedOptions() {
    const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const host = validOrigin(params.get('host'));
    if (params.has('host') && !host) {
      console.warn(`[knobs] host=${params.get('host')} is not an origin such as https://example.org; the host page gets no events`);
    }
    return {
      on: params.get('embed') === '1',
      // Messages flow only inside a frame whose page named its origin.
      host: inFrame ? host : null,
      height: -1,          // the content height last reported
      warnedParent: false,
    };
  }

  // postMessage's target origin makes the browser drop the message unless the parent is that origin;
  // checking first only avoids a console error per event when it is not.
  function parentIsHost() {
    const ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length > 0 && ancestors[0] !== embed.host) {
      if (!embed.warnedParent) {
        embed.warnedParent = true;
        console.warn(`[knobs] host=${embed.host} is not the embedding page's origin (${ancestors[0]}); it gets no events`);
      }
      return false;
    }
    return true;
  }

  function postToHost(message) {
    if (!embed.host || !parentIsHost()) return;
    try {
      window.parent.postMessage(Object.assign({ version: EMBED_SCHEMA }, message), embed.host);
    } catch (error) {
      console.warn('[knobs] could not send a message to the host page:', error);
    }
  }

  function sendEvent(event, data) {
    postToHost({ type: 'knobs:event', event, data: data === undefined ? null : data });
  }

  function contentHeight(snapshot) {
    const value = snapshot && snapshot.embed ? snapshot.embed.content_height : undefined;
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
  }

  function reportHeight(snapshot) {
    const height = contentHeight(snapshot);
    if (height === null || height === embed.height) return;
    embed.height = height;
    sendEvent('resize', { height });
  }

  const roundTo = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

  // App and glue events, in the shape the host page gets them. Results follow xAPI's "result" object
  // (score {raw, min, max, scaled}, success, completion, ISO 8601 duration, response).
  function hostEvent(name, payload) {
    const p = payload && typeof payload === 'object' ? payload : {};
    switch (name) {
      case 'quiz_answered':
        return {
          question: p.question, correct: p.correct, selected: p.selected, attempt: p.attempt,
          result: { success: p.correct === true, response: Array.isArray(p.selected) ? p.selected.join('[,]') : '' },
        };
      case 'quiz_completed':
        return { result: { score: p.score, success: p.success, completion: p.completion !== false, duration: p.duration }, duration_s: p.duration_s };
      case 'matching_completed': {
        const max = Number(p.max) || 0;
        const raw = Number(p.score) || 0;
        return {
          round: p.round, attempt: p.attempt, mistakes: p.mistakes, duration_s: p.duration_s,
          // Success: every pair matched at the first try.
          result: {
            score: { raw, min: 0, max, scaled: max > 0 ? roundTo(raw / max, 4) : 0 },
            success: max > 0 && raw === max, completion: true, duration: p.duration,
          },
        };
      }
      case 'training':
      case 'error':
      case 'statement':   // {statement}: a complete xAPI statement (65-xapi.js)
        return p;
      default:
        return undefined;   // everything else stays inside the page
    }
  }

  function forwardToHost(name, payload) {
    const data = hostEvent(name, payload);
    if (data !== undefined) sendEvent(name, data);
  }

  // What the host page may ask. Each returns the app's reply, {ok} or {ok: false, error}.
  const HOST_COMMANDS = {
    load_preset(args) {
      if (typeof args.id !== 'string' || args.id === '') return { ok: false, error: 'load_preset needs a string "id"' };
      return api.command('load_preset', { id: args.id });
    },
    set_panel(args) {
      const panels = typeof args.panel === 'string' ? args.panel.split(',') : args.panel;
      const panelIds = catalogList(safeState(), 'panels');
      if (!Array.isArray(panels) || panels.length < 1 || panels.length > 2 || !panels.every((id) => panelIds.includes(id))) {
        return { ok: false, error: `set_panel needs "panel": one or two of ${panelIds.join(', ')}` };
      }
      // The same key the embedding link uses, so a command and a link show the same thing.
      return api.command('load_link', { fragment: '#v=2&panel=' + panels.join(',') });
    },
    set_lang(args) {
      if (typeof args.lang !== 'string') {
        const languages = catalogList(safeState(), 'languages').map((lang) => JSON.stringify(lang));
        return { ok: false, error: `set_lang needs "lang": ${languages.join(' or ')}` };
      }
      return api.command('set_lang', { lang: args.lang });
    },
    reset_progress() {
      return api.command('reset_progress');
    },
  };

  function onHostMessage(event) {
    // Only the page that embeds us, from the origin it declared: anything else is ignored, silently,
    // since other scripts on the web post messages of their own.
    if (!embed.host || event.source !== window.parent || event.origin !== embed.host) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || message.type !== 'knobs:command') return;
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
    const reply = (result) => postToHost({
      type: 'knobs:reply', id, ok: Boolean(result && result.ok), ...(result && !result.ok ? { error: String(result.error) } : {}),
    });
    if (message.version !== EMBED_SCHEMA) {
      reply({ ok: false, error: `message version ${JSON.stringify(message.version)} is not supported; this Knobs speaks version ${EMBED_SCHEMA}` });
      return;
    }
    const name = typeof message.command === 'string' ? message.command : '';
    if (!Object.prototype.hasOwnProperty.call(HOST_COMMANDS, name)) {
      reply({ ok: false, error: `unknown command ${JSON.stringify(name)} (known: ${Object.keys(HOST_COMMANDS).join(', ')})` });
      return;
    }
    const args = message.args && typeof message.args === 'object' && !Array.isArray(message.args) ? message.args : {};
    running.promise.then(() => reply(HOST_COMMANDS[name](args)),
      (error) => reply({ ok: false, error: `Knobs is not running (${error.kind})` }));
  }

  // Commands from the host need only a running engine, not a drawn frame: browsers draw no frames in a
  // cross-origin frame scrolled out of view, and a host may well talk to such a frame.
  const running = {};
  running.promise = new Promise((resolve, reject) => {
    running.resolve = resolve;
    running.reject = reject;
  });
  running.promise.catch(() => {});

  // Called when the engine runs (not at the first frame, for the same reason): the host may send commands.
  function announceToHost() {
    running.resolve();
    const snapshot = safeState();
    const height = contentHeight(snapshot);
    if (height !== null) embed.height = height;
    sendEvent('ready', { app: api.version, lang: snapshot ? snapshot.lang : null, height });
  }

  function startEmbedding() {
    if (embed.on) document.documentElement.dataset.knobsEmbed = '';
    startH5pResizer();
    if (embed.on && !embed.host && inFrame) {
      console.warn('[knobs] embedded without host=<origin of this page>: the page gets no events and its commands are ignored');
    }
    if (!embed.host) return;
    window.addEventListener('message', onHostMessage);
    listeners.set('*', (listeners.get('*') || new Set()).add(forwardToHost));
  }
