// A real OpenID provider for LearnHub's single sign-on tests: the certified `oidc-provider` package with a
// small configuration of ours. Started by tests/oidc_fixture.py on a free port:
//   node server.mjs PORT CONFIG_JSON
// CONFIG_JSON: {"clients": [{client_id, client_secret, redirect_uris}], "accounts": {login: claims}}.
// Its login page (ours, below: plain, labelled, in English) accepts any login (the account id) and any
// password; the claims of a login come from "accounts" (an unknown login gets only `sub`). Consent is
// granted at once. It prints "ready" once it listens.
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const config = JSON.parse(process.argv[3]);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    response_types: ["code"], grant_types: ["authorization_code"],
    token_endpoint_auth_method: "client_secret_basic", ...client,
  })),
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "organisation", "country"],
  },
  // The ID token carries the claims itself, as many organisations' providers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ["learnhub-test-oidc-provider"] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider: sign out</title>
</head><body><main><h1>Test provider: sign out</h1>${form}
<p><button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out of the test provider</button></p>
</main></body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(ctx, id) {
    const claims = config.accounts[id] || {};
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // Consent is granted at once: the tests are about LearnHub, not about this page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

function readBody(req) {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => resolve(new URLSearchParams(body)));
  });
}

const page = (uid) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body><main><h1>Test provider: sign in</h1>
<form method="post" action="/interaction/${uid}/login">
<p><label for="login">Login</label> <input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>`;

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) { return next(); }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === "GET") {
    ctx.type = "html";
    ctx.body = page(details.uid);
    return undefined;
  }
  const form = await readBody(ctx.req);
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: form.get("login") } },
    { mergeWithLastSubmission: false });
  ctx.respond = false;
  return undefined;
});
provider.listen(port, "127.0.0.1", () => { console.log("ready"); });
