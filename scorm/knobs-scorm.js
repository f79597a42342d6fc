// Knobs' SCORM runtime adapter (docs/embedding.md, "Moodle / Canvas / Open edX"). `make scorm` puts it in
// both packages, beside knobs-scorm-config.js (window.KNOBS_SCORM = {version, link, mastery}) and the
// launch page scorm.html, which loads the two before knobs-glue.js.
//
// It finds the course platform's API object (SCORM 1.2 `API`, SCORM 2004 `API_1484_11`) with the
// standard search up window.parent and then window.opener, starts the session, hands the app the
// learner's saved progress from cmi.suspend_data (so a return visit resumes), and reports the quiz's
// score and status when the quiz is completed, the session time and progress when the page goes away.
// Without a platform the app runs as it always does, and one notice says that no score is recorded.
(function () {
  'use strict';

  const settings = (typeof window.KNOBS_SCORM === 'object' && window.KNOBS_SCORM) || {};
  const is2004 = settings.version === '2004';
  // SCORM 1.2's cmi.suspend_data is a CMIString4096; 2004 allows 64,000 characters.
  const SUSPEND_LIMIT = is2004 ? 64000 : 4096;

  const CALLS = is2004
    ? { api: 'API_1484_11', init: 'Initialize', get: 'GetValue', set: 'SetValue', commit: 'Commit', finish: 'Terminate', error: 'GetLastError', describe: 'GetErrorString' }
    : { api: 'API', init: 'LMSInitialize', get: 'LMSGetValue', set: 'LMSSetValue', commit: 'LMSCommit', finish: 'LMSFinish', error: 'LMSGetLastError', describe: 'LMSGetErrorString' };

  // The search the SCORM run-time documents: up the chain of parents (at most a few levels in any real
  // platform; the bound only guards against a broken chain), then the window that opened this one.
  // A parent on another origin throws when read: the search stops there.
  function findIn(start) {
    let win = start;
    for (let depth = 0; win && depth < 10; depth++) {
      try {
        if (win[CALLS.api]) return win[CALLS.api];
      } catch {
        return null;
      }
      if (!win.parent || win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }

  function findApi() {
    const found = findIn(window);
    if (found) return found;
    try {
      return window.opener ? findIn(window.opener) : null;
    } catch {
      return null;
    }
  }

  const lms = { api: findApi(), started: false, finished: false, startedAt: 0, mastery: null, suspend: '' };

  function call(name, ...args) {
    try {
      const value = lms.api[CALLS[name]](...args);
      return value === undefined || value === null ? '' : String(value);
    } catch (error) {
      console.warn(`[knobs] SCORM ${CALLS[name]} threw:`, error);
      return '';
    }
  }

  function get(element) {
    return call('get', element);
  }

  function set(element, value) {
    const ok = call('set', element, String(value)) === 'true';
    if (!ok) {
      const code = call('error');
      console.warn(`[knobs] SCORM ${CALLS.set}(${element}, ${JSON.stringify(String(value).slice(0, 60))}) failed: ${code} ${call('describe', code)}`);
    }
    return ok;
  }

  // The mastery score, 0-100: the platform's own (from the package's manifest, or a teacher's setting
  // there) first, then the one `make scorm` took from the preset link.
  function readMastery() {
    const text = is2004 ? get('cmi.scaled_passing_score') : get('cmi.student_data.mastery_score');
    const value = Number.parseFloat(text);
    if (text !== '' && Number.isFinite(value)) return is2004 ? value * 100 : value;
    return typeof settings.mastery === 'number' && Number.isFinite(settings.mastery) ? settings.mastery : null;
  }

  function start() {
    if (!lms.api || call('init', '') !== 'true') return false;
    lms.started = true;
    lms.startedAt = performance.now();
    if (is2004) {
      const completion = get('cmi.completion_status');
      if (completion === '' || completion === 'unknown' || completion === 'not attempted') set('cmi.completion_status', 'incomplete');
    } else if (get('cmi.core.lesson_status') === 'not attempted') {
      set('cmi.core.lesson_status', 'incomplete');
    }
    lms.mastery = readMastery();
    // A 2004 attempt has suspend data only when it resumes (reading it otherwise is error 403).
    lms.suspend = !is2004 || get('cmi.entry') === 'resume' ? get('cmi.suspend_data') : '';
    // Leaving with "suspend" keeps the attempt, and with it the suspend data, for the learner's next visit.
    set(is2004 ? 'cmi.exit' : 'cmi.core.exit', 'suspend');
    call('commit', '');
    return true;
  }

  // HHHH:MM:SS.SS for SCORM 1.2's CMITimespan; an ISO 8601 duration for 2004's timeinterval.
  function sessionTime(seconds) {
    const centis = Math.max(0, Math.round(seconds * 100));
    const h = Math.floor(centis / 360000);
    const m = Math.floor((centis % 360000) / 6000);
    const s = (centis % 6000) / 100;
    if (is2004) return `PT${h}H${m}M${s}S`;
    const two = (n) => String(n).padStart(2, '0');
    return `${String(Math.min(h, 9999)).padStart(4, '0')}:${two(m)}:${two(Math.floor(s))}.${two(centis % 100)}`;
  }

  function saveProgress(json) {
    if (!lms.started || lms.finished) return;
    if (json.length > SUSPEND_LIMIT) {
      console.warn(`[knobs] the lesson progress is ${json.length} characters, more than the ${SUSPEND_LIMIT} SCORM keeps; not saved`);
      return;
    }
    lms.suspend = json;
    if (set('cmi.suspend_data', json)) call('commit', '');
  }

  function reportQuiz(payload) {
    if (!lms.started || lms.finished || !payload || !payload.score) return;
    const { raw, max } = payload.score;
    if (!(Number(max) > 0)) return;
    const percent = Math.round((Math.min(Math.max(Number(raw) || 0, 0), max) / max) * 10000) / 100;
    const passed = lms.mastery === null ? null : percent >= lms.mastery;
    if (is2004) {
      set('cmi.score.scaled', String(Math.round(percent * 100) / 10000));
      set('cmi.score.raw', String(percent));
      set('cmi.score.min', '0');
      set('cmi.score.max', '100');
      set('cmi.completion_status', 'completed');
      set('cmi.success_status', passed === null ? 'unknown' : passed ? 'passed' : 'failed');
    } else {
      set('cmi.core.score.raw', String(percent));
      set('cmi.core.score.min', '0');
      set('cmi.core.score.max', '100');
      set('cmi.core.lesson_status', passed === null ? 'completed' : passed ? 'passed' : 'failed');
    }
    call('commit', '');
  }

  function finish() {
    if (!lms.started || lms.finished) return;
    set(is2004 ? 'cmi.session_time' : 'cmi.core.session_time', sessionTime((performance.now() - lms.startedAt) / 1000));
    call('commit', '');
    call('finish', '');
    lms.finished = true;
  }

  const NO_LMS = {
    en: 'Scores are not being recorded: this page was opened outside a course platform.',
    'pt-BR': 'As notas não estão sendo registradas: esta página foi aberta fora de uma plataforma de cursos.',
  };

  // The preset link the package was made with, unless the launch address brings its own.
  if (typeof settings.link === 'string' && settings.link.length > 1 && window.location.hash.length <= 1) {
    try {
      window.history.replaceState(window.history.state, '', window.location.href.split('#')[0] + settings.link);
    } catch (error) {
      console.warn('[knobs] could not apply the package link:', error);
    }
  }

  const recording = start();
  // A platform's frame is not the place for an offline copy (sw.js), and the platform keeps the progress.
  window.KNOBS_CONFIG = Object.assign({}, window.KNOBS_CONFIG, { serviceWorker: false },
    recording ? { progressStore: { load: () => lms.suspend, save: saveProgress } } : {});
  document.documentElement.dataset.knobsScorm = recording ? 'recording' : 'not-recording';

  // window.knobs exists once knobs-glue.js has run (it is deferred, after this file).
  document.addEventListener('DOMContentLoaded', () => {
    const knobs = window.knobs;
    if (!knobs) return;
    if (recording) {
      knobs.on('quiz_completed', reportQuiz);
      // pagehide is the last event a page reliably gets, also when a platform replaces the frame and when
      // the page goes into the back/forward cache (unload does not fire then, and Chromium is retiring it).
      window.addEventListener('pagehide', finish);
      return;
    }
    knobs.ready.then(() => {
      const state = knobs.state();
      const text = NO_LMS[state && state.lang] || NO_LMS.en;
      knobs.command('notify', { text, error: false });
    }, () => {});
  });
})();
