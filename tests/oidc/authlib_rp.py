#!/usr/bin/python3
"""A relying party of the service's OpenID Connect provider, built on Authlib (Debian's
python3-authlib): the protocol is spoken and checked by Authlib's own client classes
(OAuth2Session with PKCE S256, JsonWebKey/JsonWebToken, CodeIDToken, OpenIDProviderMetadata),
never by the project's code. tests/integration/oidc_relying_party_test.cpp runs it.

The browser's part (the authorization request, the service's login page, the redirects) is
played with a plain requests.Session that keeps the service's cookie, as a browser does; the
authorization response is read from the Location header that points at the redirect URI, which
is never contacted.

Settings come from the environment (so that no secret is on a command line), or the options
of the same name:
  OIDC_RP_ISSUER            the provider's issuer (http://127.0.0.1:PORT); discovery is read
                            from <issuer>/.well-known/openid-configuration
  OIDC_RP_CLIENT_ID         the client (automation oidc client add ... --json)
  OIDC_RP_CLIENT_SECRET     its secret ("" for a public client)
  OIDC_RP_REDIRECT_URI      a redirect URI registered for it
  OIDC_RP_POST_LOGOUT_REDIRECT_URI  one registered as its post-logout redirect URI (logout)
  OIDC_RP_USERNAME, OIDC_RP_PASSWORD  the user who signs in on the login page

Each sub-command prints one JSON object on stdout and exits 0 when everything it checks held,
1 when not ({"ok": false, "error": ..., "step": ...}; "error" is the OAuth error code when the
provider answered with one), 2 on wrong usage. Tokens and secrets are never printed: only
their decoded headers and claims.
"""

import argparse
import html.parser
import json
import os
import sys
import time
import urllib.parse

# The provider under test listens on loopback over plain HTTP; Authlib refuses http:// URLs
# in metadata unless told that the transport is acceptable.
os.environ.setdefault('AUTHLIB_INSECURE_TRANSPORT', '1')

import requests  # noqa: E402
from authlib.common.errors import AuthlibBaseError  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, JsonWebToken, JWTClaims  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from authlib.oidc.discovery import OpenIDProviderMetadata  # noqa: E402

TIMEOUT = 10  # seconds per HTTP request
MAX_HOPS = 12  # redirects and forms of one authorization request
LEEWAY = 5  # seconds of clock skew allowed when checking exp/iat
USER_SCOPE = 'openid profile email roles'  # what the user flows ask for unless --scope says


class Failure(Exception):
    """A check that did not hold; `error` is the OAuth error code when there is one."""

    def __init__(self, step, message, error=None, **details):
        super().__init__(message)
        self.step = step
        self.error = error
        self.details = details


def oauth_error(step, exc):
    return Failure(step, str(exc), error=getattr(exc, 'error', None) or type(exc).__name__)


def check(condition, step, message, **details):
    if not condition:
        raise Failure(step, message, **details)


def same_endpoint(url, target):
    """True when `url` addresses `target` (scheme, host, port and path; the query aside)."""
    a, b = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
    return (a.scheme, a.netloc.lower(), a.path) == (b.scheme, b.netloc.lower(), b.path)


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def origin_of(url):
    parts = urllib.parse.urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'


# --- the browser ----------------------------------------------------------------------------

class _Forms(html.parser.HTMLParser):
    """The forms of a page: action, method and the input fields (name, type, value)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'form':
            self.forms.append({'action': attrs.get('action') or '',
                               'method': (attrs.get('method') or 'get').lower(), 'fields': []})
        elif tag == 'input' and self.forms:
            self.forms[-1]['fields'].append((attrs.get('name'), (attrs.get('type') or 'text').lower(),
                                             attrs.get('value') or ''))


def page_forms(text):
    parser = _Forms()
    parser.feed(text)
    return parser.forms


def sign_in_form(text):
    """The page's form with a password field (the sign-in form), or None."""
    for form in page_forms(text):
        if form['method'] == 'post' and any(kind == 'password' for _, kind, _ in form['fields']):
            return form
    return None


class Browser:
    """What the authorization code flow needs of a browser: cookies, redirects, and a person
    who fills in the login page's form (username and password) and presses the button, which
    posts it with the page's Origin as browsers do."""

    def __init__(self, username=None, password=None):
        self.session = requests.Session()
        self.username = username
        self.password = password

    def visit(self, url, stop_at):
        """Follows `url` until a redirect to one of the `stop_at` URLs (not followed) or a page
        that is neither a redirect nor a sign-in form. Returns (final URL or None, last
        response, number of sign-in forms submitted, the URLs visited)."""
        forms = 0
        visited = []
        response = self.session.get(url, allow_redirects=False, timeout=TIMEOUT)
        for _ in range(MAX_HOPS):
            visited.append(response.url)
            if response.status_code in (301, 302, 303, 307, 308):
                location = urllib.parse.urljoin(response.url, response.headers.get('Location', ''))
                if any(same_endpoint(location, target) for target in stop_at):
                    return location, response, forms, visited
                response = self.session.get(location, allow_redirects=False, timeout=TIMEOUT)
                continue
            form = sign_in_form(response.text) if response.status_code == 200 else None
            if form is None:
                return None, response, forms, visited
            check(self.username is not None, 'login', 'the login page asked for a password')
            check(forms < 2, 'login', 'the login page asked for the password again',
                  page=response.text[:400])
            data = {}
            for name, kind, value in form['fields']:
                if not name:
                    continue
                if kind == 'password':
                    data[name] = self.password
                elif name in ('username', 'email') and kind in ('text', 'email'):
                    data[name] = self.username
                else:
                    data[name] = value
            action = urllib.parse.urljoin(response.url, form['action'] or response.url)
            forms += 1
            response = self.session.post(action, data=data, allow_redirects=False, timeout=TIMEOUT,
                                         headers={'Origin': origin_of(response.url),
                                                  'Referer': response.url})
        raise Failure('browser', f'more than {MAX_HOPS} redirects and forms', visited=visited)


# --- the relying party ----------------------------------------------------------------------

class RelyingParty:
    def __init__(self, settings):
        self.settings = settings
        self.client_id = settings.client_id
        self.secret = settings.client_secret
        self.redirect_uri = settings.redirect_uri
        self.auth_method = settings.auth_method or ('client_secret_basic' if self.secret else 'none')
        self._metadata = None
        self._keys = None

    # Discovery and keys, checked by Authlib's metadata model.
    @property
    def metadata(self):
        if self._metadata is None:
            url = self.settings.issuer.rstrip('/') + '/.well-known/openid-configuration'
            response = requests.get(url, timeout=TIMEOUT)
            check(response.status_code == 200, 'discovery', f'GET {url}: {response.status_code}')
            metadata = OpenIDProviderMetadata(response.json())
            try:
                metadata.validate()
            except ValueError as exc:
                raise Failure('discovery', f'the metadata is not valid: {exc}')
            check(metadata['issuer'] == self.settings.issuer, 'discovery',
                  f'issuer {metadata["issuer"]!r} is not {self.settings.issuer!r}')
            self._metadata = metadata
        return self._metadata

    @property
    def keys(self):
        if self._keys is None:
            response = requests.get(self.metadata['jwks_uri'], timeout=TIMEOUT)
            check(response.status_code == 200, 'jwks', f'GET jwks_uri: {response.status_code}')
            jwks = response.json()
            check(all('d' not in key and 'p' not in key for key in jwks.get('keys', [])), 'jwks',
                  'the JWKS publishes private key material')
            check(all(key.get('kid') for key in jwks.get('keys', [])), 'jwks', 'a key has no kid')
            self._keys = JsonWebKey.import_key_set(jwks)
        return self._keys

    def session(self, scope=None, client_id=None, secret=None, auth_method=None):
        """Authlib's OAuth 2.0 client for this client (PKCE S256 on every authorization)."""
        client_id = client_id or self.client_id
        secret = self.secret if secret is None else secret
        method = auth_method or self.auth_method
        return OAuth2Session(client_id, secret or None, scope=scope, redirect_uri=self.redirect_uri,
                             code_challenge_method='S256', token_endpoint_auth_method=method,
                             revocation_endpoint_auth_method=method)

    # The authorization request, through the browser.
    def authorize(self, browser, scope, extra=None, redirect_uri=None, verifier=None, pkce=True):
        """Sends `browser` to the authorization endpoint; returns the flow: the Authlib session,
        state, nonce, verifier, the authorization response URL (None when the provider did not
        redirect to the redirect URI), the last response and the forms filled in."""
        redirect_uri = redirect_uri or self.redirect_uri
        rp = self.session(scope)
        verifier = verifier or generate_token(48)
        nonce = generate_token(20)
        params = dict(extra or {})
        params['nonce'] = nonce
        params['redirect_uri'] = redirect_uri
        url, state = rp.create_authorization_url(self.metadata['authorization_endpoint'],
                                                 code_verifier=verifier if pkce else None, **params)
        final, response, forms, visited = browser.visit(url, [redirect_uri, self.redirect_uri])
        return {'rp': rp, 'state': state, 'nonce': nonce, 'verifier': verifier, 'final': final,
                'response': response, 'forms': forms, 'visited': visited, 'url': url}

    def authorization_response(self, flow):
        """The code's authorization response, checked: a redirect to the redirect URI with the
        state sent and (RFC 9207) the issuer."""
        final = flow['final']
        check(final is not None, 'authorize',
              f'no redirect to the redirect URI: {flow["response"].status_code} at {flow["response"].url}',
              page=flow['response'].text[:400])
        params = query_of(final)
        if 'error' in params:
            raise Failure('authorize', params.get('error_description', ''), error=params['error'])
        check(params.get('state') == flow['state'], 'authorize', 'the state came back changed')
        check(params.get('iss') == self.settings.issuer, 'authorize',
              f'the authorization response names issuer {params.get("iss")!r}')
        return params

    def exchange(self, flow, verifier=None):
        """The code for tokens (Authlib reads the code and checks the state itself)."""
        try:
            return flow['rp'].fetch_token(self.metadata['token_endpoint'],
                                          authorization_response=flow['final'], state=flow['state'],
                                          code_verifier=verifier or flow['verifier'])
        except AuthlibBaseError as exc:
            raise oauth_error('token', exc)

    def code_flow(self, browser, scope, extra=None):
        flow = self.authorize(browser, scope, extra)
        params = self.authorization_response(flow)
        token = self.exchange(flow)
        flow['code'] = params['code']
        flow['token'] = token
        return flow

    # Token checks, by Authlib's JOSE.
    def id_token(self, token, nonce, max_age=None):
        check('id_token' in token, 'id_token', 'the token response has no id_token')
        try:
            # The algorithms discovery lists: RS256, and ES256 for a client registered for it.
            algorithms = self.metadata.get('id_token_signing_alg_values_supported', ['RS256'])
            claims = JsonWebToken(algorithms).decode(
                token['id_token'], self.keys, claims_cls=CodeIDToken,
                claims_options={'iss': {'essential': True, 'value': self.settings.issuer},
                                'aud': {'essential': True, 'value': self.client_id},
                                'sub': {'essential': True}},
                claims_params={'nonce': nonce, 'client_id': self.client_id,
                               'access_token': token.get('access_token'), 'max_age': max_age})
            claims.validate(leeway=LEEWAY)
        except (AuthlibBaseError, ValueError) as exc:
            raise oauth_error('id_token', exc)
        check(claims.header.get('kid'), 'id_token', 'the ID token names no kid')
        return {'header': dict(claims.header), 'claims': dict(claims)}

    def access_token(self, access_token):
        """An access token as a JWT (RFC 9068): typ at+jwt, signed by a published key."""
        try:
            claims = JsonWebToken(['RS256', 'ES256']).decode(
                access_token, self.keys,
                claims_options={'iss': {'essential': True, 'value': self.settings.issuer},
                                'exp': {'essential': True}, 'sub': {'essential': True}})
            claims.validate(leeway=LEEWAY)
        except (AuthlibBaseError, ValueError) as exc:
            raise oauth_error('access_token', exc)
        typ = str(claims.header.get('typ', '')).lower()
        check(typ in ('at+jwt', 'application/at+jwt'), 'access_token',
              f'the access token\'s typ is {claims.header.get("typ")!r}, not at+jwt')
        return {'header': dict(claims.header), 'claims': dict(claims)}

    def userinfo(self, token):
        response = requests.get(self.metadata['userinfo_endpoint'], timeout=TIMEOUT,
                                headers={'Authorization': f'Bearer {token["access_token"]}'})
        check(response.status_code == 200, 'userinfo', f'userinfo answered {response.status_code}',
              body=response.text[:300])
        return response.json()

    def introspect(self, rp, token, hint=None, auth=None):
        response = rp.introspect_token(self.metadata['introspection_endpoint'], token=token,
                                       token_type_hint=hint, auth=auth, timeout=TIMEOUT)
        return response

    def revoke(self, rp, token, hint=None, auth=None):
        return rp.revoke_token(self.metadata['revocation_endpoint'], token=token,
                               token_type_hint=hint, auth=auth, timeout=TIMEOUT)

    def refresh(self, rp, refresh_token):
        try:
            return rp.refresh_token(self.metadata['token_endpoint'], refresh_token=refresh_token,
                                    timeout=TIMEOUT)
        except AuthlibBaseError as exc:
            raise oauth_error('refresh', exc)


def token_summary(token):
    """What a token response says, without its tokens."""
    return {'token_type': token.get('token_type'), 'expires_in': token.get('expires_in'),
            'scope': token.get('scope'), 'has_refresh_token': 'refresh_token' in token,
            'has_id_token': 'id_token' in token}


def refused_error(step, call):
    """The OAuth error code `call` fails with; a Failure when it succeeds."""
    try:
        call()
    except Failure as failure:
        return failure.error
    raise Failure(step, 'was not refused')


def no_auth(request):
    """requests auth that authenticates nothing (a caller without client credentials)."""
    return request


# --- sub-commands ---------------------------------------------------------------------------

def cmd_discovery(rp, args):
    metadata = rp.metadata
    keys = rp.keys
    return {'metadata': dict(metadata), 'kids': [key.kid for key in keys.keys]}


def full_flow_report(rp, flow, max_age=None):
    token = flow['token']
    report = {'login_forms': flow['forms'], 'token_response': token_summary(token),
              'authorization_response': {k: v for k, v in query_of(flow['final']).items()
                                         if k != 'code'}}
    if 'openid' in (flow['rp'].scope or '').split():
        report['id_token'] = rp.id_token(token, flow['nonce'], max_age=max_age)
        report['userinfo'] = rp.userinfo(token)
        check(report['userinfo'].get('sub') == report['id_token']['claims']['sub'], 'userinfo',
              'userinfo names another sub than the ID token')
    report['access_token'] = rp.access_token(token['access_token'])
    check(str(token.get('token_type', '')).lower() == 'bearer', 'token',
          f'token_type {token.get("token_type")!r}')
    scopes = (flow['rp'].scope or '').split()
    check(('refresh_token' in token) == ('offline_access' in scopes), 'token',
          'a refresh token comes with scope offline_access and only with it')
    return report


def cmd_code_flow(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    extra = {}
    if args.prompt:
        extra['prompt'] = args.prompt
    if args.max_age is not None:
        extra['max_age'] = str(args.max_age)
    flow = rp.code_flow(browser, args.scope, extra)
    return full_flow_report(rp, flow, max_age=args.max_age)


def cmd_sso(rp, args):
    """One browser, several authorizations: single sign-on, prompt=login, max_age, prompt=none
    with and without a session."""
    browser = Browser(rp.settings.username, rp.settings.password)
    first = full_flow_report(rp, rp.code_flow(browser, args.scope))
    again = full_flow_report(rp, rp.code_flow(browser, args.scope))
    forced = full_flow_report(rp, rp.code_flow(browser, args.scope, {'prompt': 'login'}))
    silent = full_flow_report(rp, rp.code_flow(browser, args.scope, {'prompt': 'none'}))
    # max_age=0: the sign-in must be fresh, so the password is asked again (OIDC Core 3.1.2.1).
    aged = full_flow_report(rp, rp.code_flow(browser, args.scope, {'max_age': '0'}), max_age=0)
    # A browser without a session: prompt=none must not show the login page but answer
    # login_required at the redirect URI.
    anonymous = rp.authorize(Browser(), args.scope, {'prompt': 'none'})
    check(anonymous['final'] is not None, 'prompt_none',
          f'prompt=none without a session: no redirect ({anonymous["response"].status_code})')
    params = query_of(anonymous['final'])
    check('code' not in params, 'prompt_none', 'prompt=none without a session issued a code')
    check(params.get('state') == anonymous['state'], 'prompt_none', 'the state came back changed')
    claims = [r['id_token']['claims'] for r in (first, again, forced, silent, aged)]
    check(first['login_forms'] == 1, 'sso', 'the first authorization did not ask for the password')
    check(again['login_forms'] == 0, 'sso', 'single sign-on asked for the password again')
    check(forced['login_forms'] == 1, 'prompt_login', 'prompt=login did not ask for the password')
    check(silent['login_forms'] == 0, 'prompt_none', 'prompt=none showed the login page')
    check(aged['login_forms'] == 1, 'max_age', 'max_age=0 did not ask for the password')
    check(len({c['sub'] for c in claims}) == 1, 'sso', 'the sub changed between authorizations')
    check(all('auth_time' in c for c in claims), 'sso', 'an ID token without auth_time')
    check(claims[1]['auth_time'] == claims[0]['auth_time'], 'sso',
          'single sign-on changed auth_time (no new sign-in happened)')
    check(claims[2]['auth_time'] >= claims[0]['auth_time'], 'prompt_login',
          'prompt=login: auth_time went back')
    return {'first': first, 'again': again, 'prompt_login': forced, 'prompt_none': silent,
            'max_age_0': aged, 'prompt_none_without_session': {k: v for k, v in params.items()}}


def cmd_refresh(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    scope = args.scope if 'offline_access' in args.scope.split() else args.scope + ' offline_access'
    flow = rp.code_flow(browser, scope)
    report = full_flow_report(rp, flow)
    session = flow['rp']
    first = flow['token']['refresh_token']
    refreshed = rp.refresh(session, first)
    check('refresh_token' in refreshed, 'refresh', 'the refresh answer has no new refresh token')
    newest = refreshed['refresh_token']
    check(newest != first, 'refresh', 'the refresh token was not rotated')
    report['refreshed'] = {'token_response': token_summary(refreshed),
                           'access_token': rp.access_token(refreshed['access_token'])}
    if 'id_token' in refreshed:
        # OIDC Core 12.2: iss, sub, aud as before; no nonce check (the refresh sends none).
        report['refreshed']['id_token'] = rp.id_token(refreshed, None)
        check(report['refreshed']['id_token']['claims']['sub'] == report['id_token']['claims']['sub'],
              'refresh', 'the refreshed ID token names another sub')
    # Reuse of the rotated-out token: refused, and the whole family with it.
    report['reuse_error'] = refused_error('refresh_reuse', lambda: rp.refresh(session, first))
    report['newest_after_reuse_error'] = refused_error('refresh_family',
                                                       lambda: rp.refresh(session, newest))
    check(report['reuse_error'] == 'invalid_grant', 'refresh_reuse',
          f'reusing a refresh token: {report["reuse_error"]}, not invalid_grant')
    check(report['newest_after_reuse_error'] == 'invalid_grant', 'refresh_family',
          f'the newest refresh token after a reuse: {report["newest_after_reuse_error"]}')
    return report


def cmd_client_credentials(rp, args):
    session = rp.session(args.scope or None)
    try:
        token = session.fetch_token(rp.metadata['token_endpoint'], grant_type='client_credentials',
                                    timeout=TIMEOUT)
    except AuthlibBaseError as exc:
        raise oauth_error('token', exc)
    check('refresh_token' not in token, 'token', 'client_credentials issued a refresh token')
    check('id_token' not in token, 'token', 'client_credentials issued an ID token')
    access = rp.access_token(token['access_token'])
    check(access['claims'].get('client_id') == rp.client_id, 'access_token',
          'the access token names another client_id')
    introspection = rp.introspect(session, token['access_token'], 'access_token')
    check(introspection.status_code == 200, 'introspect',
          f'introspection answered {introspection.status_code}')
    return {'token_response': token_summary(token), 'access_token': access,
            'introspection': introspection.json()}


def cmd_introspect(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    scope = args.scope if 'offline_access' in args.scope.split() else args.scope + ' offline_access'
    flow = rp.code_flow(browser, scope)
    session, token = flow['rp'], flow['token']
    report = {}
    for name, value, hint in (('access_token', token['access_token'], 'access_token'),
                              ('refresh_token', token['refresh_token'], 'refresh_token'),
                              ('access_token_without_hint', token['access_token'], None),
                              ('unknown_token', 'not-a-token-' + generate_token(20), None)):
        response = rp.introspect(session, value, hint)
        check(response.status_code == 200, 'introspect',
              f'introspection of {name} answered {response.status_code}')
        report[name] = response.json()
    check(report['access_token'].get('active') is True, 'introspect', 'a fresh access token is inactive')
    check(report['refresh_token'].get('active') is True, 'introspect', 'a fresh refresh token is inactive')
    check(report['unknown_token'] == {'active': False}, 'introspect',
          'an unknown token is not just {"active": false}')
    check(report['access_token'].get('client_id') == rp.client_id, 'introspect',
          'the introspection names another client_id')
    unauthenticated = rp.introspect(session, token['access_token'], 'access_token', auth=no_auth)
    report['without_client_authentication'] = unauthenticated.status_code
    check(unauthenticated.status_code == 401, 'introspect',
          f'introspection without client authentication answered {unauthenticated.status_code}')
    wrong = rp.introspect(session, token['access_token'], 'access_token',
                          auth=(rp.client_id, 'wrong-' + generate_token(16)))
    report['with_a_wrong_secret'] = wrong.status_code
    check(wrong.status_code == 401, 'introspect',
          f'introspection with a wrong secret answered {wrong.status_code}')
    return report


def cmd_revoke(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    scope = args.scope if 'offline_access' in args.scope.split() else args.scope + ' offline_access'
    flow = rp.code_flow(browser, scope)
    session, token = flow['rp'], flow['token']
    report = {}
    unauthenticated = rp.revoke(session, token['refresh_token'], 'refresh_token', auth=no_auth)
    report['without_client_authentication'] = unauthenticated.status_code
    check(unauthenticated.status_code == 401, 'revoke',
          f'revocation without client authentication answered {unauthenticated.status_code}')
    check(rp.introspect(session, token['refresh_token']).json().get('active') is True, 'revoke',
          'an unauthenticated revocation revoked the token')
    revoked = rp.revoke(session, token['refresh_token'], 'refresh_token')
    report['refresh_token_revocation'] = revoked.status_code
    check(revoked.status_code == 200, 'revoke', f'revoking the refresh token: {revoked.status_code}')
    report['refresh_token_after'] = rp.introspect(session, token['refresh_token']).json()
    check(report['refresh_token_after'].get('active') is False, 'revoke',
          'the revoked refresh token is still active')
    report['refresh_after_revocation_error'] = refused_error(
        'revoke', lambda: rp.refresh(session, token['refresh_token']))
    check(report['refresh_after_revocation_error'] == 'invalid_grant', 'revoke',
          'refreshing with a revoked refresh token was not invalid_grant')
    revoked = rp.revoke(session, token['access_token'], 'access_token')
    report['access_token_revocation'] = revoked.status_code
    check(revoked.status_code == 200, 'revoke', f'revoking the access token: {revoked.status_code}')
    report['access_token_after'] = rp.introspect(session, token['access_token']).json()
    check(report['access_token_after'].get('active') is False, 'revoke',
          'the revoked access token is still active at introspection')
    report['userinfo_after'] = requests.get(
        rp.metadata['userinfo_endpoint'], timeout=TIMEOUT,
        headers={'Authorization': f'Bearer {token["access_token"]}'}).status_code
    check(report['userinfo_after'] == 401, 'revoke', 'userinfo accepts a revoked access token')
    # RFC 7009 2.2: an invalid token is no error.
    unknown = rp.revoke(session, 'not-a-token-' + generate_token(20))
    report['unknown_token_revocation'] = unknown.status_code
    check(unknown.status_code == 200, 'revoke', f'revoking an unknown token: {unknown.status_code}')
    return report


def cmd_wrong_verifier(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    flow = rp.authorize(browser, args.scope)
    rp.authorization_response(flow)
    other = generate_token(48)
    error = refused_error('token', lambda: rp.exchange(flow, verifier=other))
    check(error == 'invalid_grant', 'token', f'a wrong code_verifier: {error}, not invalid_grant')
    return {'error': error}


def cmd_reused_code(rp, args):
    browser = Browser(rp.settings.username, rp.settings.password)
    flow = rp.authorize(browser, args.scope)
    rp.authorization_response(flow)
    first = rp.exchange(flow)
    error = refused_error('token', lambda: rp.exchange(flow))
    check(error == 'invalid_grant', 'token', f'a reused code: {error}, not invalid_grant')
    # RFC 6749 4.1.2: the tokens issued for the code SHOULD be revoked (reported, not required).
    active = rp.introspect(flow['rp'], first['access_token']).json().get('active')
    return {'error': error, 'first_access_token_active_after_reuse': active}


def cmd_bad_redirect(rp, args):
    """Unregistered redirect URIs: the provider must not redirect to them (RFC 6749 4.1.2.1),
    whether the browser is signed in or not."""
    registered = urllib.parse.urlsplit(rp.redirect_uri)
    port = registered.port or (443 if registered.scheme == 'https' else 80)
    variants = {
        'another_path': rp.redirect_uri.rstrip('/') + '/other',
        'a_query_added': rp.redirect_uri + ('&' if registered.query else '?') + 'x=1',
        'another_port': registered._replace(netloc=f'{registered.hostname}:{port + 1}').geturl(),
        'another_host': registered._replace(netloc=f'rp.invalid:{port}').geturl(),
        'a_prefix': rp.redirect_uri[:-1],
    }
    browser = Browser(rp.settings.username, rp.settings.password)
    report = {}
    for signed_in in (False, True):
        if signed_in:
            rp.authorization_response(rp.authorize(browser, args.scope))
        for name, uri in variants.items():
            flow = rp.authorize(browser, args.scope, redirect_uri=uri)
            report[f'{name}{"_signed_in" if signed_in else ""}'] = {
                'status': flow['response'].status_code, 'login_forms': flow['forms']}
            # Neither to the unregistered URI nor, with an error, to the registered one: the
            # request names no redirect URI the provider may use.
            check(flow['final'] is None, 'bad_redirect', f'{name}: redirected to {flow["final"]}')
            check(400 <= flow['response'].status_code < 500, 'bad_redirect',
                  f'{name}: answered {flow["response"].status_code}, not a 4xx page')
    return report


def cmd_no_pkce(rp, args):
    """PKCE is required: no code_challenge, or method plain, issues no code."""
    browser = Browser(rp.settings.username, rp.settings.password)
    report = {}
    cases = (('without_pkce', {}, False),
             ('method_plain', {'code_challenge': generate_token(48), 'code_challenge_method': 'plain'},
              False))
    for name, extra, pkce in cases:
        flow = rp.authorize(browser, args.scope, extra, pkce=pkce)
        if flow['final'] is None:
            report[name] = {'status': flow['response'].status_code}
            check(400 <= flow['response'].status_code < 500, name, 'no error page and no redirect')
        else:
            params = query_of(flow['final'])
            report[name] = {k: v for k, v in params.items() if k != 'code'}
            check('code' not in params, name, 'a code was issued without S256 PKCE')
            check(params.get('error') == 'invalid_request', name,
                  f'error {params.get("error")!r}, not invalid_request')
            check(params.get('state') == flow['state'], name, 'the state came back changed')
    return report


def cmd_logout(rp, args):
    """RP-initiated logout 1.0: with an id_token_hint of the signed-in user, the session ends
    without a question and the browser goes to the registered post_logout_redirect_uri with
    the state; afterwards prompt=none answers login_required."""
    post_logout = rp.settings.post_logout_redirect_uri
    check(post_logout, 'logout', 'no post-logout redirect URI given')
    browser = Browser(rp.settings.username, rp.settings.password)
    flow = rp.code_flow(browser, args.scope)
    end_session = rp.metadata.get('end_session_endpoint')
    check(end_session, 'logout', 'the metadata has no end_session_endpoint')
    report = {}
    # An unregistered post_logout_redirect_uri: never followed.
    unregistered = post_logout.rstrip('/') + '/other'
    state = generate_token(16)
    query = urllib.parse.urlencode({'id_token_hint': flow['token']['id_token'], 'client_id': rp.client_id,
                                    'post_logout_redirect_uri': unregistered, 'state': state})
    final, response, _, _ = browser.visit(f'{end_session}?{query}', [unregistered])
    check(final is None, 'logout', 'redirected to an unregistered post_logout_redirect_uri')
    report['unregistered_post_logout_redirect_uri'] = response.status_code
    silent = rp.code_flow(browser, args.scope, {'prompt': 'none'})
    check(silent['forms'] == 0, 'logout', 'a refused logout ended the session anyway')
    # The real logout.
    query = urllib.parse.urlencode({'id_token_hint': flow['token']['id_token'], 'client_id': rp.client_id,
                                    'post_logout_redirect_uri': post_logout, 'state': state})
    final, response, forms, _ = browser.visit(f'{end_session}?{query}', [post_logout])
    check(final is not None, 'logout',
          f'no redirect to the post_logout_redirect_uri: {response.status_code}', page=response.text[:400])
    check(query_of(final).get('state') == state, 'logout', 'the state did not come back')
    check(forms == 0, 'logout', 'logout asked for a password')
    after = rp.authorize(browser, args.scope, {'prompt': 'none'})
    check(after['final'] is not None, 'logout', 'prompt=none after logout: no redirect')
    report['prompt_none_after_logout'] = {k: v for k, v in query_of(after['final']).items() if k != 'code'}
    check(report['prompt_none_after_logout'].get('error') == 'login_required', 'logout',
          'after logout, prompt=none did not answer login_required')
    # No hint, and no session left to end: straight back to the registered address.
    final, response, _, _ = browser.visit(
        f'{end_session}?' + urllib.parse.urlencode({'client_id': rp.client_id,
                                                    'post_logout_redirect_uri': post_logout}),
        [post_logout])
    report['without_hint'] = {'status': response.status_code, 'redirected': final is not None}
    return report


COMMANDS = {
    'discovery': cmd_discovery,
    'code-flow': cmd_code_flow,
    'sso': cmd_sso,
    'refresh': cmd_refresh,
    'client-credentials': cmd_client_credentials,
    'introspect': cmd_introspect,
    'revoke': cmd_revoke,
    'wrong-verifier': cmd_wrong_verifier,
    'reused-code': cmd_reused_code,
    'bad-redirect': cmd_bad_redirect,
    'no-pkce': cmd_no_pkce,
    'logout': cmd_logout,
}


def parse_arguments(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('command', choices=sorted(COMMANDS))
    parser.add_argument('--issuer', default=env('OIDC_RP_ISSUER'))
    parser.add_argument('--client-id', default=env('OIDC_RP_CLIENT_ID'))
    parser.add_argument('--client-secret', default=env('OIDC_RP_CLIENT_SECRET', ''))
    parser.add_argument('--redirect-uri', default=env('OIDC_RP_REDIRECT_URI'))
    parser.add_argument('--post-logout-redirect-uri', default=env('OIDC_RP_POST_LOGOUT_REDIRECT_URI'))
    parser.add_argument('--username', default=env('OIDC_RP_USERNAME'))
    parser.add_argument('--password', default=env('OIDC_RP_PASSWORD'))
    parser.add_argument('--auth-method', choices=['client_secret_basic', 'client_secret_post', 'none'],
                        help='client authentication at the token endpoint (default: '
                             'client_secret_basic with a secret, none without)')
    parser.add_argument('--scope', help=f'default: "{USER_SCOPE}" (client-credentials: none)')
    parser.add_argument('--prompt', choices=['login', 'none'])
    parser.add_argument('--max-age', type=int)
    args = parser.parse_args(argv)
    if args.scope is None and args.command != 'client-credentials':
        args.scope = USER_SCOPE
    missing = [name for name in ('issuer', 'client_id') if not getattr(args, name)]
    if args.command not in ('discovery', 'client-credentials') and not args.redirect_uri:
        missing.append('redirect_uri')
    if missing:
        parser.error('missing: ' + ', '.join(missing))
    return args


def main(argv):
    args = parse_arguments(argv)
    rp = RelyingParty(args)
    started = time.monotonic()
    try:
        result = COMMANDS[args.command](rp, args)
    except Failure as failure:
        print(json.dumps({'ok': False, 'command': args.command, 'step': failure.step,
                          'error': failure.error, 'message': str(failure), **failure.details},
                         default=str))
        return 1
    except requests.RequestException as exc:
        print(json.dumps({'ok': False, 'command': args.command, 'step': 'http',
                          'error': type(exc).__name__, 'message': str(exc)}))
        return 1
    result = {'ok': True, 'command': args.command,
              'seconds': round(time.monotonic() - started, 3), **result}
    print(json.dumps(result, default=str))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
