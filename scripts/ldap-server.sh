# Throw-away OpenLDAP server (slapd) for the directory-login tests. Source this file, then:
#   ldap_server_start   # its own directory under /tmp, a test CA and server certificate,
#                       # slapd on a free 127.0.0.1 port for ldap:// (StartTLS too) and one for
#                       # ldaps://, users and groups loaded from LDIF
#   ldap_server_stop    # stop it and remove the directory (idempotent; call it from a trap)
# On success ldap_server_start exports what the tests read:
#   AUTOMATION_TEST_LDAP_URL         ldap://127.0.0.1:PORT (StartTLS offered)
#   AUTOMATION_TEST_LDAPS_URL        ldaps://127.0.0.1:PORT (certificate for localhost, 127.0.0.1)
#   AUTOMATION_TEST_LDAP_CA_FILE     the test CA that signed the server certificate
#   AUTOMATION_TEST_LDAP_OTHER_CA_FILE  a CA that signed nothing (certificate mismatch)
#   AUTOMATION_TEST_LDAP_BASE        dc=plant,dc=test
#   AUTOMATION_TEST_LDAP_BIND_DN / _BIND_PASSWORD_FILE   the service account (mode 600 file)
#   AUTOMATION_TEST_LDAP_ADMIN_DN / _ADMIN_PASSWORD      rootdn, for tests that add entries
# Directory: ou=people (alice: operators; bob: engineers, nested in supervisors; carol: no
# mapped group; dave: userAccountControl with the AD "disabled" bit; erin: pwdLastSet=0),
# ou=groups (groupOfNames; memberOf kept by the memberof overlay), ou=services.
# Every person's password is "Directory-Passw0rd".
# On failure it returns 1 with the reason in LDAP_SERVER_ERROR (one line; slapd's log on stderr).

LDAP_SERVER_DIR=""
LDAP_SERVER_PID=""
LDAP_SERVER_ERROR=""
LDAP_SLAPD="${LDAP_SLAPD:-/usr/sbin/slapd}"

_ldap_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A CA, and a server certificate it signs for localhost and 127.0.0.1; and a second CA that
# signs nothing, for the certificate-mismatch test.
_ldap_make_certificates() {
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=automation test LDAP CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=unrelated CA" \
      -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" >/dev/null 2>&1 &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext" &&
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
      -CAcreateserial -days 2 -extfile "$dir/san.ext" -out "$dir/server.pem" >/dev/null 2>&1
}

_ldap_write_config() {
  local dir="$1"
  # AD's account attributes, so that the disabled and must-change checks run against a real
  # server (OpenLDAP has no userAccountControl of its own). OIDs are AD's; the class is a test's.
  cat >"$dir/ad-account.schema" <<'EOF'
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.96 NAME 'pwdLastSet'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.4203.666.26.1 NAME 'automationTestAdAccount' AUXILIARY
  MAY ( userAccountControl $ pwdLastSet ) )
EOF
  cat >"$dir/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $dir/ad-account.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
TLSCACertificateFile $dir/ca.pem
TLSCertificateFile $dir/server.pem
TLSCertificateKeyFile $dir/server.key
database mdb
suffix "dc=plant,dc=test"
rootdn "cn=admin,dc=plant,dc=test"
rootpw $(cat "$dir/admin-password")
directory $dir/data
maxsize 33554432
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
EOF
}

_ldap_write_entries() {
  local dir="$1" service_password="$2"
  local base="dc=plant,dc=test" pw="Directory-Passw0rd"
  cat >"$dir/entries.ldif" <<EOF
dn: $base
objectClass: dcObject
objectClass: organization
dc: plant
o: Plant

dn: ou=people,$base
objectClass: organizationalUnit
ou: people

dn: ou=groups,$base
objectClass: organizationalUnit
ou: groups

dn: ou=services,$base
objectClass: organizationalUnit
ou: services

dn: cn=automation,ou=services,$base
objectClass: person
cn: automation
sn: service
userPassword: $service_password

EOF
  local person
  for person in "alice Alice Archer 512 1" "bob Bob Baker 512 1" "carol Carol Cooper 512 1" \
    "dave Dave Dalton 514 1" "erin Erin Evans 512 0"; do
    read -r uid given surname uac pwd_last_set <<<"$person"
    cat >>"$dir/entries.ldif" <<EOF
dn: uid=$uid,ou=people,$base
objectClass: inetOrgPerson
objectClass: automationTestAdAccount
uid: $uid
cn: $given $surname
givenName: $given
sn: $surname
mail: $uid@plant.test
userPassword: $pw
userAccountControl: $uac
pwdLastSet: $pwd_last_set

EOF
  done
  # Groups after their members: the memberof overlay writes memberOf into existing entries.
  # engineers is nested in supervisors (a group as a member of a group).
  cat >>"$dir/entries.ldif" <<EOF
dn: cn=operators,ou=groups,$base
objectClass: groupOfNames
cn: operators
member: uid=alice,ou=people,$base
member: uid=dave,ou=people,$base
member: uid=erin,ou=people,$base

dn: cn=engineers,ou=groups,$base
objectClass: groupOfNames
cn: engineers
member: uid=bob,ou=people,$base

dn: cn=supervisors,ou=groups,$base
objectClass: groupOfNames
cn: supervisors
member: cn=engineers,ou=groups,$base

dn: cn=visitors,ou=groups,$base
objectClass: groupOfNames
cn: visitors
member: uid=carol,ou=people,$base

EOF
}

# Waits up to 30 s for slapd to answer an anonymous root DSE read.
_ldap_wait_ready() {
  local url="$1" i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$LDAP_SERVER_PID" 2>/dev/null; then return 1; fi
    if ldapsearch -x -H "$url" -s base -b "" -LLL namingContexts >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

ldap_server_start() {
  if [[ ! -x "$LDAP_SLAPD" ]] || ! command -v ldapadd >/dev/null; then
    LDAP_SERVER_ERROR="no slapd or ldapadd (install slapd and ldap-utils)"
    return 1
  fi
  LDAP_SERVER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/automation-ldap-XXXXXX")"
  mkdir -p "$LDAP_SERVER_DIR/data"
  chmod 700 "$LDAP_SERVER_DIR"
  python3 -c 'import secrets; print(secrets.token_hex(16))' >"$LDAP_SERVER_DIR/admin-password"
  python3 -c 'import secrets; print(secrets.token_hex(16), end="")' >"$LDAP_SERVER_DIR/bind-password"
  chmod 600 "$LDAP_SERVER_DIR/admin-password" "$LDAP_SERVER_DIR/bind-password"
  if ! _ldap_make_certificates "$LDAP_SERVER_DIR"; then
    LDAP_SERVER_ERROR="openssl could not make the test certificates"
    return 1
  fi
  _ldap_write_config "$LDAP_SERVER_DIR"
  _ldap_write_entries "$LDAP_SERVER_DIR" "$(cat "$LDAP_SERVER_DIR/bind-password")"
  # Loaded offline (slapadd does not run overlays, so memberOf goes in with ldapadd below).
  local attempt port tls_port
  for attempt in 1 2 3; do
    port="$(_ldap_free_port)"
    tls_port="$(_ldap_free_port)"
    # -d 0 keeps it in the foreground (we own its pid); -h: loopback only.
    "$LDAP_SLAPD" -f "$LDAP_SERVER_DIR/slapd.conf" -d 0 \
      -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$tls_port/" \
      >"$LDAP_SERVER_DIR/slapd.log" 2>&1 &
    LDAP_SERVER_PID=$!
    if _ldap_wait_ready "ldap://127.0.0.1:$port"; then break; fi
    kill "$LDAP_SERVER_PID" 2>/dev/null
    wait "$LDAP_SERVER_PID" 2>/dev/null
    LDAP_SERVER_PID=""
  done
  if [[ -z "$LDAP_SERVER_PID" ]]; then
    cat "$LDAP_SERVER_DIR/slapd.log" >&2
    LDAP_SERVER_ERROR="slapd did not start (its log is above)"
    return 1
  fi
  if ! ldapadd -x -H "ldap://127.0.0.1:$port" -D "cn=admin,dc=plant,dc=test" \
    -y <(tr -d '\n' <"$LDAP_SERVER_DIR/admin-password") \
    -f "$LDAP_SERVER_DIR/entries.ldif" >"$LDAP_SERVER_DIR/ldapadd.log" 2>&1; then
    cat "$LDAP_SERVER_DIR/ldapadd.log" >&2
    LDAP_SERVER_ERROR="loading the test entries failed (ldapadd's output is above)"
    return 1
  fi
  export AUTOMATION_TEST_LDAP_URL="ldap://127.0.0.1:$port"
  export AUTOMATION_TEST_LDAPS_URL="ldaps://127.0.0.1:$tls_port"
  export AUTOMATION_TEST_LDAP_CA_FILE="$LDAP_SERVER_DIR/ca.pem"
  export AUTOMATION_TEST_LDAP_OTHER_CA_FILE="$LDAP_SERVER_DIR/other-ca.pem"
  export AUTOMATION_TEST_LDAP_BASE="dc=plant,dc=test"
  export AUTOMATION_TEST_LDAP_BIND_DN="cn=automation,ou=services,dc=plant,dc=test"
  export AUTOMATION_TEST_LDAP_BIND_PASSWORD_FILE="$LDAP_SERVER_DIR/bind-password"
  export AUTOMATION_TEST_LDAP_ADMIN_DN="cn=admin,dc=plant,dc=test"
  AUTOMATION_TEST_LDAP_ADMIN_PASSWORD="$(cat "$LDAP_SERVER_DIR/admin-password")"
  export AUTOMATION_TEST_LDAP_ADMIN_PASSWORD
  echo "LDAP test server: $("$LDAP_SLAPD" -VV 2>&1 | grep -o 'slapd [^ ]*' | head -1), 127.0.0.1:$port (ldap), :$tls_port (ldaps), data in $LDAP_SERVER_DIR"
}

ldap_server_stop() {
  if [[ -n "$LDAP_SERVER_PID" ]]; then
    kill "$LDAP_SERVER_PID" 2>/dev/null
    wait "$LDAP_SERVER_PID" 2>/dev/null
    LDAP_SERVER_PID=""
  fi
  if [[ -n "$LDAP_SERVER_DIR" ]]; then rm -rf "$LDAP_SERVER_DIR"; fi
  LDAP_SERVER_DIR=""
  LDAP_SERVER_ERROR=""
  unset AUTOMATION_TEST_LDAP_URL AUTOMATION_TEST_LDAPS_URL AUTOMATION_TEST_LDAP_CA_FILE \
    AUTOMATION_TEST_LDAP_OTHER_CA_FILE AUTOMATION_TEST_LDAP_BASE AUTOMATION_TEST_LDAP_BIND_DN \
    AUTOMATION_TEST_LDAP_BIND_PASSWORD_FILE AUTOMATION_TEST_LDAP_ADMIN_DN \
    AUTOMATION_TEST_LDAP_ADMIN_PASSWORD
  return 0
}
