/* Staff login: POST /api/login as JSON, then go where the person was headed. */
(function () {
  'use strict';
  var form = document.getElementById('login-form');
  var error = document.getElementById('login-error');
  var submit = document.getElementById('login-submit');
  var next = form.getAttribute('data-next') || '/';
  if (next.charAt(0) !== '/' || next.charAt(1) === '/') next = '/';

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var username = document.getElementById('username').value.trim();
    var password = document.getElementById('password').value;
    if (!username || !password) {
      error.textContent = 'Isi nama pengguna dan kata sandi. (Fill in username and password.)';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    Antrian.api.post('/api/login', {username: username, password: password}).then(function () {
      window.location.assign(next);
    }).catch(function (err) {
      error.textContent = err.detail;
      error.hidden = false;
      submit.disabled = false;
    });
  });
}());
