// The example course page (course-example.html): shows what the embedded Knobs panels report, and
// sends them commands. Everything arrives as DOM events from embed.js ("knobs:<event>" on each
// [data-knobs] div, bubbling to document), so this file needs nothing but the DOM.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const frames = ['knobs-matching', 'knobs-training', 'knobs-quiz'];
  const ready = new Set();
  const answered = new Set();

  function seconds(value) {
    return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(1)} s` : '';
  }

  function percent(scaled) {
    return typeof scaled === 'number' && Number.isFinite(scaled) ? `${Math.round(scaled * 100)}%` : '';
  }

  function plural(count, one, many) {
    return `${count} ${count === 1 ? one : many}`;
  }

  document.addEventListener('knobs:ready', (event) => {
    ready.add(event.target.id);
    $('panels-status').textContent = ready.size === frames.length
      ? 'All three panels are ready.'
      : `${ready.size} of ${frames.length} panels ready…`;
  });

  // Results come in xAPI's shape: result.score {raw, min, max, scaled}, success, completion, duration.
  document.addEventListener('knobs:matching_completed', (event) => {
    const { result, mistakes } = event.detail;
    $('score-matching').textContent = `${result.score.raw} of ${result.score.max} pairs at the first try · ` +
      `${plural(mistakes, 'mistake', 'mistakes')} · ${seconds(event.detail.duration_s)}`;
  });

  document.addEventListener('knobs:quiz_answered', (event) => {
    answered.add(event.detail.question);
    $('quiz-answers').textContent = `${plural(answered.size, 'question', 'questions')} answered; ` +
      `the last one ${event.detail.result.success ? 'right' : 'not quite'}`;
  });

  document.addEventListener('knobs:quiz_completed', (event) => {
    const { score, success } = event.detail.result;
    $('score-quiz').textContent = `${score.raw} of ${score.max} (${percent(score.scaled)}) · ` +
      `${success ? 'passed' : 'not passed yet'} · ${seconds(event.detail.duration_s)}`;
  });

  const MILESTONES = {
    started: (d) => `Training started at step ${d.step}`,
    steps: (d) => `Reached step ${d.target}${typeof d.loss === 'number' ? `, loss ${d.loss.toFixed(3)}` : ''}`,
    stopped: (d) => `Paused at step ${d.step}`,
    diverged: (d) => `Training blew up at step ${d.step}: ${d.reason}`,
  };

  document.addEventListener('knobs:training', (event) => {
    const describe = MILESTONES[event.detail.milestone];
    if (!describe) return;
    const text = describe(event.detail);
    $('training-status').textContent = text;
    const item = document.createElement('li');
    item.textContent = text;
    $('training-log').appendChild(item);
  });

  document.addEventListener('knobs:error', (event) => {
    $('panels-status').textContent = `A panel could not start: ${event.detail.message}`;
  });

  // ---- commands to the panels ----

  function report(what, replies) {
    const failed = replies.filter((reply) => !reply.ok);
    $('panels-status').textContent = failed.length ? `${what} failed: ${failed[0].error}` : `${what}: done.`;
  }

  function commandAll(ids, name, args) {
    if (!window.KnobsEmbed) return Promise.resolve([{ ok: false, error: 'embed.js is not loaded' }]);
    return Promise.all(ids.map((id) => window.KnobsEmbed.command($(id), name, args)));
  }

  $('language').addEventListener('change', (event) => {
    commandAll(frames, 'set_lang', { lang: event.target.value }).then((replies) => report('Changing the language', replies));
  });

  $('start-over').addEventListener('click', () => {
    commandAll(['knobs-matching', 'knobs-quiz'], 'reset_progress').then((replies) => {
      answered.clear();
      $('score-matching').textContent = 'not finished yet';
      $('score-quiz').textContent = 'not finished yet';
      $('quiz-answers').textContent = '0 questions answered';
      report('Starting over', replies);
    });
  });

  $('preset-lr').addEventListener('click', () => {
    commandAll(['knobs-training'], 'load_preset', { id: 'lr-too-high' }).then((replies) => report('Loading the experiment', replies));
  });

  $('preset-watch').addEventListener('click', () => {
    commandAll(['knobs-training'], 'load_preset', { id: 'watch-learn' }).then((replies) => report('Loading the experiment', replies));
  });
})();
