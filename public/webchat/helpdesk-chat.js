/*
 * Alimail helpdesk web chat: renders Bot Framework Web Chat against the helpdesk server.
 *
 * Used two ways:
 *  - by the server's own page (`/`), with options from the query string: ?title=&accent=&background=&lang=
 *  - as the embed script on another site (listed in ALLOWED_ORIGINS):
 *      <div id="mail-helpdesk" style="height: 600px"></div>
 *      <script src="https://helpdesk.example.com/webchat/helpdesk-chat.js" data-target="mail-helpdesk"
 *              data-title="Mail helpdesk" data-accent="#c2410c" data-lang="zh-CN" async></script>
 *    or, without data-target, by calling window.AlimailHelpdesk.start(element, { title, accent, background, lang }).
 *
 * The conversation id and token are kept in sessionStorage, so a reload (same tab) resumes the
 * conversation and Web Chat shows its history again. The token is refreshed before it expires.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var root = new URL('/', script ? script.src : window.location.href);
  var STORAGE_KEY = 'alimail-helpdesk:' + root.origin + ':conversation';
  var DEFAULT_ACCENT = '#c2410c';
  var RESTART_LABEL = { en: 'New conversation', zh: '新对话' };
  var CONNECTION = { online: 2, failed: 4, ended: 5 };

  function url(relative) {
    return new URL(relative, root).href;
  }

  /** Options: data-* attributes of the script tag, then (on our own page) the query string. */
  function readOptions(element) {
    var data = element ? element.dataset : {};
    var options = { title: data.title, accent: data.accent, background: data.background, lang: data.lang };
    if (data.page === 'true') {
      var query = new URLSearchParams(window.location.search);
      ['title', 'accent', 'background', 'lang'].forEach(function (name) {
        if (query.has(name)) options[name] = query.get(name);
      });
    }
    return options;
  }

  /** Only values that are what they claim to be reach the page: colours, a language tag, a short title. */
  function clean(options) {
    var colour = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/;
    return {
      title: typeof options.title === 'string' && options.title.trim() ? options.title.trim().slice(0, 80) : '',
      accent: colour.test(options.accent || '') ? options.accent : DEFAULT_ACCENT,
      background: colour.test(options.background || '') ? options.background : '',
      lang: /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(options.lang || '') ? options.lang : '',
    };
  }

  function pageConfig() {
    var block = document.getElementById('helpdesk-config');
    if (block && block.textContent && block.textContent.indexOf('{{') < 0) return Promise.resolve(JSON.parse(block.textContent));
    return fetchJson(url('webchat/config.json'), { method: 'GET' });
  }

  function fetchJson(address, init) {
    return fetch(address, init).then(function (res) {
      if (!res.ok) throw new Error(address + ' answered ' + res.status);
      return res.json();
    });
  }

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
      return saved && saved.conversationId && saved.token && saved.domain ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function save(saved) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
    } catch (e) {
      // Storage full or blocked: the chat still works, it just will not survive a reload.
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      // nothing kept, nothing to forget
    }
  }

  function refresh(saved) {
    return fetchJson(saved.domain + '/tokens/refresh', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + saved.token },
    }).then(function (answer) {
      saved.token = answer.token;
      saved.expiresAt = Date.now() + answer.expires_in * 1000;
      save(saved);
      return saved;
    });
  }

  /** The kept conversation with a fresh token, or a token for a new conversation. */
  function session() {
    var saved = load();
    var resumable = saved && saved.expiresAt - Date.now() > 10000;
    var resumed = resumable
      ? refresh(saved).then(
          function (s) {
            return { saved: s, resume: true };
          },
          function () {
            return null;
          }
        )
      : Promise.resolve(null);
    return resumed.then(function (result) {
      if (result) return result;
      forget();
      return fetchJson(url('webchat/token'), { method: 'POST' }).then(function (answer) {
        var fresh = {
          conversationId: answer.conversationId,
          token: answer.token,
          expiresAt: Date.now() + answer.expires_in * 1000,
          domain: new URL(answer.domain, root).href.replace(/\/+$/, ''),
        };
        save(fresh);
        return { saved: fresh, resume: false };
      });
    });
  }

  function loadWebChat() {
    if (window.WebChat) return Promise.resolve(window.WebChat);
    return new Promise(function (resolve, reject) {
      var tag = document.createElement('script');
      tag.src = url('webchat/webchat.js');
      tag.onload = function () {
        resolve(window.WebChat);
      };
      tag.onerror = function () {
        reject(new Error('Web Chat could not be loaded'));
      };
      document.head.appendChild(tag);
    });
  }

  function loadStyle() {
    var href = url('webchat/helpdesk-chat.css');
    var present = Array.prototype.some.call(document.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      return link.href === href;
    });
    if (present) return;
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.appendChild(link);
  }

  function frame(target, options, config) {
    var lang = (options.lang || navigator.language || 'en').toLowerCase().slice(0, 2);
    target.innerHTML = '';
    var chat = document.createElement('div');
    chat.className = 'ahd-chat';
    chat.style.setProperty('--ahd-accent', options.accent);
    if (options.background) chat.style.setProperty('--ahd-background', options.background);

    var header = document.createElement('header');
    header.className = 'ahd-header';
    var avatar = document.createElement('img');
    avatar.className = 'ahd-avatar';
    avatar.src = url('webchat/avatar.svg');
    avatar.alt = '';
    var title = document.createElement('span');
    title.className = 'ahd-title';
    title.textContent = options.title || config.botName;
    var restart = document.createElement('button');
    restart.type = 'button';
    restart.className = 'ahd-restart';
    restart.textContent = RESTART_LABEL[lang] || RESTART_LABEL.en;
    header.appendChild(avatar);
    header.appendChild(title);
    header.appendChild(restart);

    var body = document.createElement('div');
    body.className = 'ahd-webchat';
    body.setAttribute('role', 'region');
    body.setAttribute('aria-label', options.title || config.botName);
    chat.appendChild(header);
    chat.appendChild(body);
    target.appendChild(chat);
    return { body: body, restart: restart };
  }

  function styleOptions(options, config) {
    var style = {
      accent: options.accent,
      botAvatarImage: url('webchat/avatar.svg'),
      botAvatarInitials: config.botInitials,
      botAvatarBackgroundColor: '#ffffff',
      bubbleBorderRadius: 10,
      bubbleFromUserBackground: options.accent,
      bubbleFromUserTextColor: '#ffffff',
      bubbleFromUserBorderRadius: 10,
      bubbleFromUserBorderColor: options.accent,
      suggestedActionLayout: 'flow',
      suggestedActionBorderColor: options.accent,
      suggestedActionTextColor: options.accent,
      suggestedActionBorderRadius: 16,
      sendBoxButtonColor: options.accent,
      hideUploadButton: true,
      disableFileUpload: true,
      rootHeight: '100%',
      rootWidth: '100%',
    };
    if (options.background) style.backgroundColor = options.background;
    return style;
  }

  /**
   * Renders the chat into `target`. Resolves once Web Chat is rendered; the connection continues on its own.
   */
  function start(target, rawOptions) {
    if (!target) return Promise.reject(new Error('AlimailHelpdesk.start: no element to render into'));
    var options = clean(rawOptions || {});
    if (options.lang && document.documentElement && script && script.dataset.page === 'true') document.documentElement.lang = options.lang;
    loadStyle();
    return Promise.all([pageConfig(), loadWebChat()]).then(function (loaded) {
      var config = loaded[0];
      var WebChat = loaded[1];
      if (!options.title && script && script.dataset.page === 'true') document.title = config.botName;
      else if (options.title && script && script.dataset.page === 'true') document.title = options.title;
      var parts = frame(target, options, config);
      var current = null;

      function connect(retried) {
        return session().then(function (s) {
          var directLine = WebChat.createDirectLine({
            domain: s.saved.domain,
            token: s.saved.token,
            conversationId: s.resume ? s.saved.conversationId : undefined,
            webSocket: true,
          });
          var everOnline = false;
          var statusWatch = directLine.connectionStatus$.subscribe(function (status) {
            if (status === CONNECTION.online) everOnline = true;
            // A kept conversation the server no longer knows: start a new one instead (once).
            if (!everOnline && s.resume && !retried && (status === CONNECTION.failed || status === CONNECTION.ended)) {
              statusWatch.unsubscribe();
              forget();
              connect(true).catch(showError);
            }
          });
          // Keep the stored token fresh, so a reload after a long chat can still resume.
          var lifetime = Math.max(60000, s.saved.expiresAt - Date.now());
          var timer = window.setInterval(function () {
            var saved = load();
            if (saved && saved.conversationId === s.saved.conversationId) refresh(saved).catch(function () {});
          }, Math.min(lifetime / 2, 15 * 60 * 1000));
          if (current) current.dispose();
          current = {
            dispose: function () {
              window.clearInterval(timer);
              statusWatch.unsubscribe();
              directLine.end();
            },
          };
          // A fresh element each time: the previous Web Chat (if any) is left behind, not re-rendered.
          var host = document.createElement('div');
          host.style.height = '100%';
          parts.body.innerHTML = '';
          parts.body.appendChild(host);
          WebChat.renderWebChat(
            {
              directLine: directLine,
              locale: options.lang || undefined,
              styleOptions: styleOptions(options, config),
            },
            host
          );
        });
      }

      parts.restart.addEventListener('click', function () {
        forget();
        if (current) current.dispose();
        current = null;
        connect(true).catch(showError);
      });

      return connect(false);
    }).catch(function (err) {
      showError(err);
      throw err;
    });

    function showError(err) {
      target.innerHTML = '';
      var message = document.createElement('p');
      message.className = 'ahd-error';
      message.textContent = 'The chat could not start. Please reload the page. (' + err.message + ')';
      target.appendChild(message);
    }
  }

  window.AlimailHelpdesk = { start: start };

  if (script && script.dataset.target) {
    var target = document.getElementById(script.dataset.target);
    start(target, readOptions(script)).catch(function (err) {
      if (window.console) window.console.error(err);
    });
  }
})();
