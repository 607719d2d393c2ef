package refserver

// Fault is one deliberate deviation from docs/requirements.md that breaks exactly
// one behaviour. The mutation matrix (internal/mutation, held true by
// TestMutationMatrix) switches faults on to prove that the suite catches
// each one.
type Fault struct {
	Name        string // what Options.Faults and conform serve --fault take
	Requirement string // the requirement ID it breaks
	Breaks      string // one sentence: what it breaks
}

// Variant is a conformant alternative: another member of an accepted set of
// docs/requirements.md (or another INFO behaviour) than the reference's own
// choice, so that the suite can prove it does not tune itself to the
// reference. The suite must pass with any combination of variants.
type Variant struct {
	Name        string // what Options.Variants takes
	Requirement string // the requirement ID whose accepted set it picks from
	Does        string // one sentence: what the server does instead
}

// fault and variant are the names the server code consults. Each behaviour has
// exactly one place where they are consulted, so that a fault or variant never
// needs more than one edit:
//
//   - reply sending (duplicate, no answer, close after failures, events first): (*Server).handleSafely;
//     an auth request dropped unanswered for its reused requestId: (*Server).dispatch
//   - requestId echo: (*Server).requestID (which also remembers a connection's last two requestIds,
//     and the ids it used for reused-request-id-unanswered; an auth answer's that depends on the
//     path, such as the previous one: (*Server).auth)
//   - auth reply envelope (method, and the requestId, result and resultCode that
//     depend on the path): (*Server).auth; success fields: (*Server).grant;
//     failure fields and a failure's effect on the connection: (*Server).refuse
//   - error texts: (*Server).errorText
//   - result-code choice: decide and the decide* functions in auth.go, rc4b
//     (the lockout check included: decideSecured)
//   - credential recognition and token liveness: (*Server).identify
//   - token minting: (*Server).grant, issueAPIToken; token shape: New (the store's mint function)
//   - token revocation when a connection closes: (*Server).unregister
//   - token lifetimes: apiExpiry (fresh authorizations), identify (token
//     authorization, the presented token's own expiry, the command-line PIN),
//     decideStatusChange (status change), httpExpiry (HTTP tokens), grant (the
//     HTTP token of an unsecured login), httpAccepts (an HTTP token's expiry on use),
//     tokenForHTTPServer (what a request for an HTTP token does to the
//     connection's other tokens)
//   - lockout counting: (*Server).countWrong; the lockout as one connection
//     sees it (which connections and tokens it spares, what it does to a token):
//     (*Server).lockoutFaults, called by decideSecured's lockout check
//   - how many tokens the store keeps: tokenLimit
//   - the connection's move into its mode and the slots it takes: (*Server).grant, setMode
//   - the displaced connection's notification: (*Server).notifyDisplaced;
//     revoking its tokens: (*Server).setMode
//   - bad frames that break the next auth: noticed by noteBadFrame (called where
//     the frame is judged: readLoop for binary, dispatch for invalid JSON),
//     applied by (*Server).auth
//   - a host refused after an oversize frame: noticed by noteOversizeFrame
//     (readLoop), applied by (*Server).ServeHTTP (bannedAt)
//   - other methods (pre-auth refusal, getAuthInfo, clearTokens): (*Server).dispatch, authRequired, authInfo;
//     getTokenForHttpServer (whether the connection may have one, and the reply): (*Server).tokenForHTTPServer
//   - the embedded HTTP server's verdict on a token: (*Server).httpAccepts (which
//     also honours http-token-equals-token, so that the shared token still opens
//     the HTTP server and that fault breaks AUTH-5 alone; an expired token's
//     probe may revoke its API token there too)
//   - config.json: (*Server).WebHandler
//   - setAuthParams (what it changes, the user connection's notice):
//     (*Server).setAuthParams, resetUser
type (
	fault   string
	variant string
)

// The faults, in the order of faultTable.
const (
	faultDuplicateResponse         fault = "duplicate-response"
	faultMethodMismatch            fault = "method-mismatch"
	faultRequestIDNonASCIIMangled  fault = "request-id-non-ascii-mangled"
	faultRequestIDTruncated        fault = "request-id-truncated"
	faultRequestIDInvented         fault = "request-id-invented"
	faultResultNotBooleanOnFailure fault = "result-not-boolean-on-failure"
	faultResultTrueOnCode3         fault = "result-true-on-code-3"
	faultSuccessWithoutResultCode  fault = "success-without-result-code"
	// The reconfiguration faults (setAuthParams, CFG).
	faultNewAdminPasswordIgnored    fault = "new-admin-password-ignored"
	faultGivenPINIgnored            fault = "given-pin-ignored"
	faultBlankNewPINRefused         fault = "blank-new-pin-refused"
	faultAdminUnsecuredKeepsUser    fault = "admin-unsecured-keeps-user"
	faultUserSecuredWhileAdminOpen  fault = "user-secured-while-admin-open"
	faultUserChangeCause1           fault = "user-credentials-change-cause-1"
	faultNoReconfigurationNotice    fault = "no-reconfiguration-notice"
	faultOldAdminPasswordKept       fault = "old-admin-password-kept"
	faultOldUserSecretKept          fault = "old-user-secret-kept"
	faultPreconnectedKeepsOldSecret fault = "preconnected-keeps-old-secret"
	faultLongPasswordTruncated      fault = "long-password-truncated"
	faultUnknownFieldRejected       fault = "unknown-field-rejected"
	faultCloseAfterFailure          fault = "close-after-failure"
	faultPrivilegesMisspelt         fault = "privileges-misspelt"
	faultNoHTTPToken                fault = "no-http-token"
	faultHTTPTokenEqualsToken       fault = "http-token-equals-token"
	faultRepeatedTokens             fault = "repeated-tokens"
	faultTokenOnFailure             fault = "token-on-failure"
	faultPrevilegesOnFailure        fault = "previleges-on-failure"
	faultFailureDropsMode           fault = "failure-drops-mode"
	faultFailureGrantsAdmin         fault = "failure-grants-admin"
	faultCredentialsEchoed          fault = "credentials-echoed"
	faultFreePlanCode8              fault = "free-plan-code-8"
	faultStatusChangeUnchecked      fault = "status-change-unchecked"
	faultUnsecuredCode8             fault = "unsecured-code-8"
	faultRC4bCode5                  fault = "rc4b-code-5"
	faultUserCredentialsRaise       fault = "user-credentials-raise"
	faultNoLockout                  fault = "no-lockout"
	faultEmptyCredentialsCode8      fault = "empty-credentials-code-8"
	faultWrongCredentialsCode4      fault = "wrong-credentials-code-4"
	faultAlteredTokenAccepted       fault = "altered-token-accepted"
	faultRoleNotValidated           fault = "role-not-validated"
	faultTypeNotValidated           fault = "type-not-validated"
	faultMissingTypeCode3           fault = "missing-type-code-3"
	faultMissingCredentialsCode7    fault = "missing-credentials-code-7"
	faultMultiFaultCode4            fault = "multi-fault-code-4"
	faultNonStringTypeCode11        fault = "non-string-type-code-11"
	faultUserLoginReportsAdmin      fault = "user-login-reports-admin"
	faultNoRoleDefaultsToUser       fault = "no-role-defaults-to-user"
	faultPINCaseSensitive           fault = "pin-case-sensitive"
	faultStatusChangeKeepsTokens    fault = "status-change-keeps-tokens"
	faultStatusChangeStaysAdmin     fault = "status-change-stays-admin"
	faultTokenDiesWithConnection    fault = "token-dies-with-connection"
	faultTokenRoleNotChecked        fault = "token-role-not-checked"
	faultStatusChangeTokenIsAdmin   fault = "status-change-token-is-admin"
	faultHTTPAcceptsAnyToken        fault = "http-accepts-any-token"
	faultHTTPRefusesFreshToken      fault = "http-refuses-fresh-token"
	faultHTTPTokenNeverExpires      fault = "http-token-never-expires"
	faultHTTPTokenHalfLife          fault = "http-token-half-life"
	faultAPITokenExpiresWithHTTP    fault = "api-token-expires-with-http-token"
	faultAPITokenNeverExpires       fault = "api-token-never-expires"
	faultTokenAuthExtendsLifetime   fault = "token-auth-extends-lifetime"
	faultStatusChangeExtends        fault = "status-change-extends-lifetime"
	faultGetTokenForHTTPServerDead  fault = "get-token-for-http-server-dead"
	faultNoAuthRequired             fault = "no-auth-required"
	faultPINShownToUser             fault = "pin-shown-to-user"
	faultPINHiddenFromAdmin         fault = "pin-hidden-from-admin"
	faultNoDisplacementNotice       fault = "no-displacement-notice"
	faultInvalidJSONBreaksNextAuth  fault = "invalid-json-breaks-next-auth"
	faultBinaryFrameBreaksNextAuth  fault = "binary-frame-breaks-next-auth"
	faultConfigJSONPortsAsStrings   fault = "config-json-ports-as-strings"
	faultConfigJSONWrongWSPort      fault = "config-json-wrong-websocket-port"
	faultDigitRequestIDAsNumber     fault = "digit-request-id-as-number"
	faultPasswordCaseInsensitive    fault = "password-case-insensitive"
	faultPasswordPrefixAccepted     fault = "password-prefix-accepted"
	faultCredentialsTrimmed         fault = "credentials-trimmed"
	faultRoleCaseInsensitive        fault = "role-case-insensitive"
	faultTypeCaseInsensitive        fault = "type-case-insensitive"
	faultUnsecuredNoRoleGrantsAdmin fault = "unsecured-no-role-grants-admin"
	faultTokenSingleUse             fault = "token-single-use"
	faultHTTPAcceptsAPIToken        fault = "http-accepts-api-token"
	faultFreshHTTPTokenInherits     fault = "fresh-http-token-inherits-expiry"
	faultHTTPTokenBeforeAuth        fault = "http-token-before-auth"
	faultDisplacedKeepsMode         fault = "displaced-keeps-mode"
	faultInvalidUTF8BreaksNextAuth  fault = "invalid-utf8-breaks-next-auth"

	faultSilentFailureWithoutID      fault = "no-response-to-failure-without-request-id"
	faultRequestIDTrimmed            fault = "request-id-trimmed"
	faultStatusChangeDropsRequestID  fault = "status-change-drops-request-id"
	faultMissingRequestIDNullFailure fault = "missing-request-id-null-on-failure"
	faultRequestIDCarriedOver        fault = "request-id-carried-over"
	faultAuthRequestIDPrevious       fault = "auth-request-id-of-previous-request"
	faultResultCodeStringOnSwitch    fault = "result-code-string-on-status-change"
	faultDisplacingSuccessFalse      fault = "displacing-success-result-false"
	faultCloseAfterThirdFailure      fault = "close-after-third-failure"
	faultTokenReauthPrevilegesString fault = "token-reauth-previleges-string"
	faultAPITokensCycle              fault = "api-tokens-cycle-after-16"
	faultRoleMismatchCarriesToken    fault = "role-mismatch-carries-token"
	faultCode3ReportsCurrentMode     fault = "code-3-reports-current-mode"
	faultRoleMismatchGrantsCredMode  fault = "role-mismatch-grants-credentials-mode"
	faultFreePlanUserSecretAccepted  fault = "free-plan-user-secret-accepted"
	faultStatusChangeChecksLogin     fault = "status-change-checks-login-mode"
	faultUnsecuredAdminCode5         fault = "unsecured-admin-code-5-when-user-open"
	faultUnsecuredWithCredentials    fault = "unsecured-with-credentials-checked"
	faultOpenUserModeAcceptsAny      fault = "open-user-mode-accepts-any-secret"
	faultUserSecretRoleAdminCode4    fault = "user-secret-role-admin-code-4"
	faultLockoutPerConnection        fault = "lockout-counted-per-connection"
	faultLockoutSparesCorrect        fault = "lockout-spares-correct-credentials"
	faultPasswordNULTerminated       fault = "password-nul-terminated"
	faultPINExtensionAccepted        fault = "pin-extension-accepted"
	faultTokenCaseInsensitive        fault = "token-case-insensitive"
	faultRolePrefixMatched           fault = "role-prefix-matched"
	faultEmptyTypeMissing            fault = "empty-type-treated-as-missing"
	faultCredentialsImplySecured     fault = "credentials-imply-secured"
	faultSecuredRefresh              fault = "secured-refresh-without-credentials"
	faultNonStringCredentialsCode12  fault = "non-string-credentials-code-12"
	faultAdminPINTakenForUser        fault = "admin-pin-taken-for-user"
	faultOpenRoleUserGrantsAdmin     fault = "open-role-user-grants-admin"
	faultUserPasswordNoRoleAdmin     fault = "user-password-no-role-grants-admin"
	faultPINUpperCaseOnly            fault = "pin-case-folding-upper-only"
	faultUnsecuredNoRoleRefused      fault = "unsecured-no-role-refused-when-admin-protected"
	faultStatusChangeAfterTokenLogin fault = "status-change-refused-after-token-login"
	faultDisplacementRevokesAPI      fault = "displacement-revokes-api-tokens"
	faultReauthTokenNotReusable      fault = "reauth-token-not-reusable"
	faultUserTokenRoleAdminCode8     fault = "user-token-role-admin-code-8"
	faultSwitchTokenRoleAdminUser    fault = "status-change-token-role-admin-grants-user"
	faultHTTPRefusesUserTokens       fault = "http-refuses-user-tokens"
	faultHTTPTokenSlidingExpiry      fault = "http-token-sliding-expiry"
	faultUnsecuredHTTPTokenLongLived fault = "unsecured-http-token-lives-like-api-token"
	faultExpiredHTTPProbeRevokesAPI  fault = "expired-http-probe-revokes-api-token"
	faultAPITokenSlidingExpiry       fault = "api-token-sliding-expiry"
	faultCommandLinePINTokenExpires  fault = "command-line-pin-token-expires"
	faultTokenAuthExpiryFromIssue    fault = "token-auth-expiry-from-issue-time"
	faultHTTPTokenWrongField         fault = "get-token-for-http-server-wrong-field"
	faultClearTokensBeforeAuth       fault = "clear-tokens-before-auth"
	faultPreAuthRefusalReveals       fault = "pre-auth-refusal-reveals-security"
	faultPINHiddenFromTokenAdmin     fault = "pin-hidden-from-token-admin"
	faultAdminDisplacementCause3     fault = "admin-displacement-cause-3"
	faultStatusChangeSkipsUserSlot   fault = "status-change-skips-user-slot"
	faultDisplacedGetsHTTPToken      fault = "displaced-can-get-http-token"
	faultOversizeFrameBansHost       fault = "oversize-frame-bans-host"
	faultConfigJSONBOM               fault = "config-json-bom"

	// Faults of the behaviour classes the generated cases catch (issue 17).
	faultReusedRequestIDUnanswered    fault = "reused-request-id-unanswered"
	faultUnsecuredUserOnAdminSwitch   fault = "unsecured-user-on-admin-is-status-change"
	faultCredentialsLineEndStripped   fault = "credentials-line-end-stripped"
	faultNullRoleAsAbsent             fault = "null-role-as-absent"
	faultUserLoginOnAdminKeepsAdmin   fault = "user-login-on-admin-keeps-admin"
	faultPINOtherCaseNeedsRole        fault = "pin-other-case-needs-role"
	faultSecondStatusChangeRefused    fault = "second-status-change-refused"
	faultAdminTokenRefusedAfterSwitch fault = "admin-token-refused-after-status-change"

	// Faults of the lockout as each connection sees it, and of capacity (issue 18).
	faultLockoutSparesEarlierConns fault = "lockout-spares-earlier-connections"
	faultLockoutSparesAuthorized   fault = "lockout-spares-authorized-connections"
	faultLockoutTokenCode8         fault = "lockout-token-code-8"
	faultLockoutRevokesPresented   fault = "lockout-revokes-presented-tokens"
	faultTokenStoreKeeps500        fault = "token-store-keeps-500"
	faultSilentAfterManyAuths      fault = "silent-after-many-auths"
	faultSwitchTokenDiesWithHTTP   fault = "switch-token-dies-with-http-token"
	// Faults of a token's life at both ends, after activity (issue 18).
	faultHTTPTokenShortenedByUse   fault = "http-token-shortened-by-use"
	faultHTTPTokenRevokedByRequest fault = "http-token-revoked-by-request"
	faultHTTPTokenCaseInsensitive  fault = "http-token-case-insensitive"
	faultLoginTokenSlidesWithConn  fault = "login-token-slides-with-connection"
	faultAPITokenCutByRequest      fault = "api-token-cut-by-http-token-request"
	faultTokenAuthHalfLifetime     fault = "token-auth-half-lifetime"
)

// faultTable describes every fault; Faults returns it sorted.
var faultTable = []Fault{
	{string(faultDuplicateResponse), "ENV-1", "Every auth response is sent twice."},
	{string(faultMethodMismatch), "ENV-2", `Auth responses carry method "Auth" instead of "auth".`},
	{string(faultRequestIDNonASCIIMangled), "ENV-3", `A requestId with non-ASCII characters is echoed with each non-ASCII character replaced by "?".`},
	{string(faultRequestIDTruncated), "ENV-3", "A requestId longer than 255 bytes is echoed truncated to 255 bytes."},
	{string(faultRequestIDInvented), "ENV-4", `A request without requestId gets requestId "0" in the response.`},
	{string(faultResultNotBooleanOnFailure), "ENV-6", `Failed auth responses carry "result":0 (a number) instead of false.`},
	{string(faultResultTrueOnCode3), "ENV-7", `The resultCode 3 response (status change refused) says "result":true.`},
	{string(faultNewAdminPasswordIgnored), "CFG-1", "setAuthParams admin password answers success and changes nothing: the old password stays, the new one gets 8."},
	{string(faultGivenPINIgnored), "CFG-2", "setAuthParams user pin with newPin answers success but sets another, generated PIN, and does not return it."},
	{string(faultBlankNewPINRefused), "CFG-2", `setAuthParams user pin with "newPin":null or "newPin":"" (what TrueConf's own clients send to have a PIN generated) is refused as a bad PIN.`},
	{string(faultAdminUnsecuredKeepsUser), "CFG-3", "setAuthParams admin unsecured leaves user mode protected."},
	{string(faultUserSecuredWhileAdminOpen), "CFG-4", "setAuthParams protects user mode while admin mode is unsecured."},
	{string(faultUserChangeCause1), "CFG-5", "The user connection whose credentials the administrator changed is told cause 1 (another client) instead of 4."},
	{string(faultNoReconfigurationNotice), "CFG-5", "A user connection that loses its mode to setAuthParams is not told (no authorizationNeeded)."},
	{string(faultOldAdminPasswordKept), "RC-8", "After setAuthParams admin password the old admin password still authorizes as administrator, beside the new one."},
	{string(faultOldUserSecretKept), "RC-8", "After setAuthParams user password or pin the old user password or PIN still authorizes as user, beside the new one."},
	{string(faultPreconnectedKeepsOldSecret), "RC-8", "A connection opened before setAuthParams changed a secret still accepts the old secret; connections opened after it refuse it."},
	{string(faultLongPasswordTruncated), "CFG-1", "setAuthParams keeps only the first 255 characters of a password: the password set no longer logs in, its first 255 characters do."},
	{string(faultSuccessWithoutResultCode), "ENV-6", `Success responses carry no resultCode, as older (4.x) firmware answered: conform run --legacy accepts that as a WARN.`},
	{string(faultUnknownFieldRejected), "ENV-8", "An auth request with a field other than method, requestId, type, role and credentials gets resultCode 10."},
	{string(faultCloseAfterFailure), "ENV-9", "After a failed auth response the server closes the connection (normal closure)."},
	{string(faultPrivilegesMisspelt), "AUTH-1", `Success responses name the field "privileges" instead of "previleges".`},
	{string(faultNoHTTPToken), "AUTH-2", "Success responses carry no tokenForHttpServer."},
	{string(faultHTTPTokenEqualsToken), "AUTH-5", "tokenForHttpServer is the same string as token (the API token)."},
	{string(faultRepeatedTokens), "AUTH-5", "While the last API token issued for a mode is live, a new authorization in that mode returns that same token."},
	{string(faultTokenOnFailure), "FAIL-1", "Failed auth responses carry a live administrator API token in token."},
	{string(faultPrevilegesOnFailure), "FAIL-2", `Failed auth responses carry "previleges":0.`},
	{string(faultFailureDropsMode), "FAIL-4", "A failed auth on an authorized connection drops the connection to no mode."},
	{string(faultFailureGrantsAdmin), "FAIL-4", "A failed auth with resultCode 8 on a connection without mode leaves it in administrator mode."},
	{string(faultCredentialsEchoed), "FAIL-5", `The error text of resultCode 8 ends with ": " and the credentials sent.`},
	{string(faultFreePlanCode8), "RC-2", "On the free plan, secured credentials that are not a live token get 8 instead of 2."},
	{string(faultStatusChangeUnchecked), "RC-3", `A status change (no type, role "user") on a connection that is not administrator succeeds with previleges 1.`},
	{string(faultUnsecuredCode8), "RC-4", `Type "unsecured" for a protected mode gets 8 instead of 4.`},
	{string(faultRC4bCode5), "RC-4b", "Secured password or PIN credentials aimed at an unprotected mode, or with nothing protected, get 5 instead of 4."},
	{string(faultUserCredentialsRaise), "RC-5", `User password or PIN with role "admin" grants administrator (previleges 2) instead of 5.`},
	{string(faultNoLockout), "RC-6", "Wrong credentials never trigger the lockout, however many come in a row."},
	{string(faultEmptyCredentialsCode8), "RC-7", `Credentials "" get 8 instead of 7.`},
	{string(faultWrongCredentialsCode4), "RC-8", "Unrecognised secured credentials that would get 8 get 4 instead."},
	{string(faultAlteredTokenAccepted), "RC-8", "Token recognition compares only the first 40 characters, so an API token with its last character changed is accepted."},
	{string(faultRoleNotValidated), "RC-9", `A role other than "admin" or "user" (including "" and non-strings) is treated as if role were absent.`},
	{string(faultTypeNotValidated), "RC-10", `A string type other than "secured" or "unsecured" is treated as "secured".`},
	{string(faultMissingTypeCode3), "RC-11", "A request with no type and no role gets 3 instead of 11."},
	{string(faultMissingCredentialsCode7), "RC-12", `Type "secured" without credentials gets 7 instead of 12.`},
	{string(faultMultiFaultCode4), "RC-13", "A request with both an invalid type and an invalid role gets 4."},
	{string(faultNonStringTypeCode11), "RC-14", "A type that is present but not a string gets 11 instead of 10."},
	{string(faultUserLoginReportsAdmin), "ROLE-1", `A user password or PIN login with role "user" replies previleges 2, although the connection is in user mode.`},
	{string(faultNoRoleDefaultsToUser), "ROLE-2", "Admin password or command-line PIN without role grants user mode (previleges 1)."},
	{string(faultPINCaseSensitive), "ROLE-4", "The user PIN is compared case-sensitively."},
	{string(faultStatusChangeKeepsTokens), "SW-1", "The status change returns the connection's current token and tokenForHttpServer instead of fresh ones."},
	{string(faultStatusChangeStaysAdmin), "SW-2", "The status change replies previleges 1 but the connection stays administrator."},
	{string(faultTokenDiesWithConnection), "TOK-1", "API tokens are revoked when the connection that obtained them closes."},
	{string(faultTokenRoleNotChecked), "TOK-2", `A user-mode API token with role "admin" grants administrator.`},
	{string(faultStatusChangeTokenIsAdmin), "TOK-3", "The API token returned by a status change re-authorizes as administrator."},
	{string(faultHTTPAcceptsAnyToken), "LIFE-1", "The HTTP server answers 200 to any non-empty token."},
	{string(faultHTTPRefusesFreshToken), "LIFE-1", "The HTTP server refuses (401) every tokenForHttpServer issued by auth, while tokens from getTokenForHttpServer still work."},
	{string(faultHTTPTokenNeverExpires), "LIFE-2", "HTTP tokens have no expiry."},
	{string(faultHTTPTokenHalfLife), "LIFE-2", "HTTP tokens expire after half of HTTPTokenTTL."},
	{string(faultAPITokenExpiresWithHTTP), "LIFE-3", "API tokens from password, PIN and unsecured authorizations get the HTTP token's lifetime (HTTPTokenTTL) instead of the API lifetime."},
	{string(faultAPITokenNeverExpires), "LIFE-4", "API tokens from password, PIN and unsecured authorizations never expire."},
	{string(faultTokenAuthExtendsLifetime), "LIFE-5", "A token obtained by token authorization gets a fresh full API lifetime instead of the original's expiry (a never-expiring original stays so)."},
	{string(faultStatusChangeExtends), "LIFE-5", "A token obtained by a status change gets a fresh full API lifetime instead of the original authorization's expiry (a never-expiring original stays so)."},
	{string(faultGetTokenForHTTPServerDead), "LIFE-6", "getTokenForHttpServer returns a fresh random string that the server never stored, so the HTTP server refuses it."},
	{string(faultNoAuthRequired), "SEC-1", "getAuthInfo is answered normally before any auth."},
	{string(faultPINShownToUser), "SEC-2", "getAuthInfo shows userAuth.pin to user connections too."},
	{string(faultPINHiddenFromAdmin), "SEC-2", "getAuthInfo never shows userAuth.pin, not even to an administrator."},
	{string(faultNoDisplacementNotice), "SEC-3", "A connection displaced from its mode loses the mode but gets no authorizationNeeded notification."},
	{string(faultInvalidJSONBreaksNextAuth), "ROB-1", "After a frame that is not valid JSON, the next auth that would succeed on a connection opened after it fails with resultCode 1 (once)."},
	{string(faultBinaryFrameBreaksNextAuth), "ROB-1", "After a binary frame, the next auth that would succeed on a connection opened after it fails with resultCode 1 (once)."},
	{string(faultConfigJSONPortsAsStrings), "DISC-1", `config.json gives the ports as JSON strings ("8765") instead of numbers.`},
	{string(faultConfigJSONWrongWSPort), "DISC-1", "config.json gives a WebSocket port one higher than the real one."},
	{string(faultDigitRequestIDAsNumber), "ENV-3", `A requestId string of digits only ("1") is echoed as a JSON number.`},
	{string(faultPasswordCaseInsensitive), "RC-8", "Passwords are compared case-insensitively."},
	{string(faultPasswordPrefixAccepted), "RC-8", "A non-empty proper prefix of the admin password is accepted as the password."},
	{string(faultCredentialsTrimmed), "RC-8b", "Secured credentials are trimmed of surrounding whitespace before they are checked."},
	{string(faultRoleCaseInsensitive), "RC-9b", `Role is compared case-insensitively ("Admin" is "admin").`},
	{string(faultTypeCaseInsensitive), "RC-10b", `Type is compared case-insensitively ("Secured" is "secured").`},
	{string(faultUnsecuredNoRoleGrantsAdmin), "ROLE-5", `Type "unsecured" without role when only user is unsecured grants administrator.`},
	{string(faultTokenSingleUse), "TOK-1", "An API token re-authorizes once; using it again gets 8."},
	{string(faultHTTPAcceptsAPIToken), "LIFE-1b", "The HTTP server accepts live API tokens as well as HTTP tokens."},
	{string(faultFreshHTTPTokenInherits), "LIFE-6", "A token from getTokenForHttpServer expires when the connection's last auth's tokenForHttpServer does."},
	{string(faultHTTPTokenBeforeAuth), "SEC-1", "getTokenForHttpServer before auth is refused (result false) but the refusal carries a working HTTP token."},
	{string(faultDisplacedKeepsMode), "SEC-4", "A connection displaced from its mode is notified but keeps acting in that mode."},
	{string(faultInvalidUTF8BreaksNextAuth), "ROB-1", "After a text frame that is not valid UTF-8, the next auth that would succeed on a connection opened after it fails with resultCode 1 (once)."},

	{string(faultSilentFailureWithoutID), "ENV-1", "A failed auth without requestId gets no response at all."},
	{string(faultRequestIDTrimmed), "ENV-3", "A string requestId is echoed with leading and trailing whitespace removed."},
	{string(faultStatusChangeDropsRequestID), "ENV-3", `The success reply of a status change echoes requestId "" instead of the request's.`},
	{string(faultMissingRequestIDNullFailure), "ENV-4", "A failed auth without requestId is answered with requestId null."},
	{string(faultRequestIDCarriedOver), "ENV-4", "A message without requestId is answered with the requestId of the last message on the same connection that had one."},
	{string(faultAuthRequestIDPrevious), "ENV-3", "An auth request is answered with the requestId of the message before it on the same connection that had one (an id already answered); the connection's first keeps its own."},
	{string(faultResultCodeStringOnSwitch), "ENV-6", `The success reply of a status change carries resultCode as the JSON string "0".`},
	{string(faultDisplacingSuccessFalse), "ENV-7", `A success that displaces another connection from its mode says "result":false with resultCode 0.`},
	{string(faultCloseAfterThirdFailure), "ENV-9", "After three failed auths in a row on one connection the server closes it (policy violation)."},
	{string(faultTokenReauthPrevilegesString), "AUTH-1", `The success reply of a token authorization gives previleges as a JSON string ("2").`},
	{string(faultAPITokensCycle), "AUTH-5", "API token values repeat with a period of 16: from the 17th on, each success returns the token of the success 16 before it."},
	{string(faultRoleMismatchCarriesToken), "FAIL-1", `The resultCode 5 failure for user credentials with role "admin" carries a live user-mode API token.`},
	{string(faultCode3ReportsCurrentMode), "FAIL-2", "A status change refused with resultCode 3 on a user-mode connection carries previleges 1."},
	{string(faultRoleMismatchGrantsCredMode), "FAIL-4", `The resultCode 5 failure for user credentials with role "admin" leaves a connection without mode in user mode.`},
	{string(faultFreePlanUserSecretAccepted), "RC-2", "On the Free plan the user password or PIN authorizes user mode instead of getting 2."},
	{string(faultStatusChangeChecksLogin), "RC-3", "Auth without type is judged by the mode of the connection's last login instead of its current mode, so a connection already switched to user can switch again instead of getting 3."},
	{string(faultUnsecuredAdminCode5), "RC-4", `Type "unsecured" with role "admin" gets 5 instead of 4 when administrator is protected and user is not.`},
	{string(faultUnsecuredWithCredentials), "RC-4", `Type "unsecured" with a credentials field is checked as "secured", so the admin password with type "unsecured" grants administrator.`},
	{string(faultOpenUserModeAcceptsAny), "RC-4b", `Unrecognised secured credentials with role "user" authorize user mode when user mode is unprotected.`},
	{string(faultUserSecretRoleAdminCode4), "RC-5", `User password or PIN with role "admin" gets 4 instead of 5.`},
	{string(faultLockoutPerConnection), "RC-6", "Wrong credentials are counted per connection, so wrong credentials spread over several connections never trigger the lockout."},
	{string(faultLockoutSparesCorrect), "RC-6", "During the lockout correct credentials and live tokens still authorize; only unrecognised credentials get 6."},
	{string(faultPasswordNULTerminated), "RC-8", "Password comparison stops at the first NUL in the credentials, so the password followed by NUL and anything is accepted."},
	{string(faultPINExtensionAccepted), "RC-8", "Credentials that start with the user PIN and go on are accepted as the user PIN."},
	{string(faultTokenCaseInsensitive), "RC-8", "API tokens are recognised case-insensitively."},
	{string(faultRolePrefixMatched), "RC-9", `A role that starts with "admin" or "user" (such as "administrator") is taken as that role.`},
	{string(faultEmptyTypeMissing), "RC-10", `Type "" is treated as if type were absent.`},
	{string(faultCredentialsImplySecured), "RC-11", `A request with credentials but no type and no role is handled as type "secured".`},
	{string(faultSecuredRefresh), "RC-12", `Type "secured" without credentials on an authorized connection re-issues tokens for its mode instead of getting 12.`},
	{string(faultNonStringCredentialsCode12), "RC-14", "Credentials that are not a JSON string are treated as missing and get 12."},
	{string(faultAdminPINTakenForUser), "ROLE-1", `Where the administrator is protected by a PIN, the admin PIN is taken for user credentials (role "admin" gets 5, no role grants user).`},
	{string(faultOpenRoleUserGrantsAdmin), "ROLE-1", `Type "unsecured" with role "user" grants administrator when both modes are unsecured.`},
	{string(faultUserPasswordNoRoleAdmin), "ROLE-2", "The user password without role grants administrator."},
	{string(faultPINUpperCaseOnly), "ROLE-4", "The user PIN in other letter case is accepted only when it is all upper case, so a mixed-case PIN gets 8."},
	{string(faultUnsecuredNoRoleRefused), "ROLE-5", `Type "unsecured" without role gets 4 whenever administrator is protected, even when user is unsecured.`},
	{string(faultStatusChangeAfterTokenLogin), "SW-1", "A status change on an administrator connection that authorized by a token gets 3."},
	{string(faultDisplacementRevokesAPI), "TOK-1", "Displacing a connection also revokes its API tokens and the token it authorized with, so a token stops working once a connection it authorized is displaced."},
	{string(faultReauthTokenNotReusable), "TOK-1", "The API token returned by a token authorization is never stored, so it does not re-authorize."},
	{string(faultUserTokenRoleAdminCode8), "TOK-2", `A user-mode API token with role "admin" gets 8 instead of 5.`},
	{string(faultSwitchTokenRoleAdminUser), "TOK-3", `The API token returned by a status change, with role "admin", authorizes user mode instead of getting 5.`},
	{string(faultHTTPRefusesUserTokens), "LIFE-1", "The HTTP server refuses HTTP tokens issued for user mode."},
	{string(faultHTTPTokenSlidingExpiry), "LIFE-2", "Each accepted HTTP request pushes its HTTP token's expiry a full HTTP lifetime ahead."},
	{string(faultUnsecuredHTTPTokenLongLived), "LIFE-2", `The tokenForHttpServer of a type "unsecured" authorization gets the API token's lifetime.`},
	{string(faultExpiredHTTPProbeRevokesAPI), "LIFE-3", "An HTTP request with an expired tokenForHttpServer revokes the API token issued with it."},
	{string(faultAPITokenSlidingExpiry), "LIFE-4", "Each token authorization pushes the presented token's own expiry a full API lifetime ahead."},
	{string(faultCommandLinePINTokenExpires), "LIFE-4", "API tokens from the command-line PIN expire after the API lifetime instead of lasting until restart."},
	{string(faultTokenAuthExpiryFromIssue), "LIFE-5", "A token obtained by token authorization expires an API lifetime after the presented token was issued instead of with the original authorization."},
	{string(faultHTTPTokenWrongField), "LIFE-6", "getTokenForHttpServer returns its token in a tokenForHttpServer field instead of token."},
	{string(faultClearTokensBeforeAuth), "SEC-1", "clearTokens is answered and carried out before any auth."},
	{string(faultPreAuthRefusalReveals), "SEC-1", "The refusal of getAuthInfo before auth carries adminAuth and userAuth."},
	{string(faultPINHiddenFromTokenAdmin), "SEC-2", "An administrator connection that authorized by a token is not shown the user PIN by getAuthInfo."},
	{string(faultAdminDisplacementCause3), "SEC-3", "An administrator connection displaced by another gets authorizationNeeded with cause 3 instead of 1."},
	{string(faultStatusChangeSkipsUserSlot), "SEC-4", "A status change puts the connection in user mode without taking the user-mode slot, so a later user login neither notifies nor displaces it."},
	{string(faultDisplacedGetsHTTPToken), "SEC-4", "A connection displaced from its mode is still given HTTP tokens of that mode by getTokenForHttpServer."},
	{string(faultOversizeFrameBansHost), "ROB-1", "After a text frame over the size limit, new connections from the same host are refused (HTTP 503) for one second of the server clock."},
	{string(faultConfigJSONBOM), "DISC-1", "config.json starts with a UTF-8 byte order mark."},

	{string(faultReusedRequestIDUnanswered), "ENV-1", "An auth request whose requestId an earlier message on the same connection already carried gets no response at all."},
	{string(faultUnsecuredUserOnAdminSwitch), "RC-4", `Type "unsecured" with role "user" on an administrator connection, where user mode is protected, is handled as the status change (success with previleges 1) instead of getting 4.`},
	{string(faultCredentialsLineEndStripped), "RC-8b", "Trailing CR, LF and TAB characters are stripped from secured credentials before they are checked (leading whitespace is not)."},
	{string(faultNullRoleAsAbsent), "RC-14", `"role":null is treated as if role were absent.`},
	{string(faultUserLoginOnAdminKeepsAdmin), "SEC-2", `A user password or PIN login with role "user" on an administrator connection replies previleges 1 but leaves the connection administrator, so a connection in user mode is shown the user PIN.`},
	{string(faultPINOtherCaseNeedsRole), "ROLE-4", `The user PIN in other letter case is accepted only with role "user": without role it gets 8.`},
	{string(faultSecondStatusChangeRefused), "SW-1", "A connection that made a status change once gets 3 for every later one, also after it became administrator again by a login."},
	{string(faultAdminTokenRefusedAfterSwitch), "TOK-1", `A live administrator API token presented without role or with role "admin" on a connection in user mode by a status change gets 8.`},

	{string(faultLockoutSparesEarlierConns), "RC-6", "The lockout is decided when a connection opens: a connection opened before it began, authorized or not, still authorizes with correct credentials during it."},
	{string(faultLockoutSparesAuthorized), "RC-6", "During the lockout a connection that holds a mode still authorizes with correct credentials; only connections without a mode get 6."},
	{string(faultLockoutTokenCode8), "TOK-1", "During the lockout a live API token gets 8 (wrong credentials) instead of 6 or a success."},
	{string(faultLockoutRevokesPresented), "TOK-1", "A live API token presented during the lockout gets 6 and is revoked, so it no longer re-authorizes once the lockout has ended."},
	{string(faultTokenStoreKeeps500), "TOK-1", "The server keeps only its last 500 tokens, forgetting the oldest, live or not: an API token stops re-authorizing after some 170 later logins (a store of 100 the generated cases catch already)."},
	{string(faultSilentAfterManyAuths), "ENV-1", "A connection's 31st auth request gets no answer (a per-connection counter that wraps): only a connection that lives through many authorizations meets it."},
	{string(faultSwitchTokenDiesWithHTTP), "LIFE-5", "A status change's API token gets the lifetime of its tokenForHttpServer, not its original's: it no longer re-authorizes once the HTTP token has expired (it dies before the login it derives from)."},
	{string(faultHTTPTokenShortenedByUse), "LIFE-2", "An accepted HTTP request cuts its token's remaining life to half the HTTP lifetime (an idle timeout), so a token used early dies before its lifetime."},
	{string(faultHTTPTokenRevokedByRequest), "LIFE-2", "getTokenForHttpServer revokes the HTTP tokens issued to its connection before, the login's tokenForHttpServer included."},
	{string(faultHTTPTokenCaseInsensitive), "LIFE-1", "The HTTP server recognises HTTP tokens case-insensitively."},
	{string(faultLoginTokenSlidesWithConn), "LIFE-4", "Each getTokenForHttpServer on a connection authorized by a password, PIN or unsecured login pushes that login's API token a full API lifetime ahead."},
	{string(faultAPITokenCutByRequest), "LIFE-4", "getTokenForHttpServer on a connection authorized with a token cuts that token's remaining life to the HTTP lifetime."},
	{string(faultTokenAuthHalfLifetime), "LIFE-5", "A token obtained by token authorization lives at most half an API lifetime from its issue (never beyond its original's expiry), so one obtained early dies before its original."},
}

// The variants, in the order of variantTable.
const (
	variantEventsBeforeResponses    variant = "events-before-responses"
	variantRequestIDAbsent          variant = "request-id-absent"
	variantNumericRequestIDAsString variant = "numeric-request-id-as-string"
	variantNoOverlayToken           variant = "no-overlay-token"
	variantOpaqueTokens             variant = "opaque-tokens"
	variantNoErrorText              variant = "no-error-text"
	variantRC4bCode8                variant = "rc4b-code-8"
	variantRC5bCode5                variant = "rc5b-code-5"
	variantRoleBeforeType           variant = "role-before-type"
	variantRC14CredentialsCode8     variant = "rc14-credentials-code-8"
	variantRole3User                variant = "role3-user"
	variantSW3Code3                 variant = "sw3-code-3"
	variantRefusalErrorOnly         variant = "refusal-error-only"
	variantReauthReturnsSameToken   variant = "reauth-returns-same-token"
)

// variantTable describes every variant; Variants returns it sorted.
var variantTable = []Variant{
	{string(variantEventsBeforeResponses), "ENV-1", `Before every response the server sends the notification {"method":"event","event":"appStateChanged","appState":3}.`},
	{string(variantRequestIDAbsent), "ENV-4", "A request without requestId gets a response without a requestId field."},
	{string(variantNumericRequestIDAsString), "ENV-5", "A numeric requestId is echoed as a JSON string of the same text."},
	{string(variantNoOverlayToken), "AUTH-3", "Success responses carry no overlayHttpToken."},
	{string(variantOpaqueTokens), "AUTH-4", "Tokens are random 43-character base64url strings instead of the documented shape."},
	{string(variantNoErrorText), "FAIL-3", "Failure responses carry no error field (refusals of other methods keep result false)."},
	{string(variantRC4bCode8), "RC-4b", "Secured password or PIN credentials aimed at an unprotected mode, or with nothing protected, get 8 (counted as wrong credentials)."},
	{string(variantRC5bCode5), "RC-5b", `Admin password or PIN with role "user" where user mode is protected gets 5 (admin tokens with role "user" still grant user).`},
	{string(variantRoleBeforeType), "RC-13", `Role is validated before type (type "open" with role "root" gets 9), and type "secured" with an invalid role and no credentials gets 12.`},
	{string(variantRC14CredentialsCode8), "RC-14", "Non-string credentials get 8 (counted as wrong credentials)."},
	{string(variantRole3User), "ROLE-3", `Type "unsecured" without role when both modes are unsecured grants user (previleges 1).`},
	{string(variantSW3Code3), "SW-3", `{"role":"admin"} without type gets 3 even on an administrator connection.`},
	{string(variantRefusalErrorOnly), "SEC-1", `The refusal of other methods before auth carries an error field and no result field.`},
	{string(variantReauthReturnsSameToken), "AUTH-5", "A token re-authorization returns the very token it was given (AUTH-5's accepted set: the same token, or a new one)."},
}
