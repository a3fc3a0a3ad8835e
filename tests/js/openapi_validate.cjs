// GET /api/openapi.json from the real server is a valid OpenAPI document (validated by
// @apidevtools/swagger-parser: the 3.0 JSON schema, references, path parameters), every
// operation it lists is served (neither 404 nor 405), and the Swagger UI page references no
// outside host. Usage: node openapi_validate.cjs <automation binary>
'use strict';
const { requireToolOrSkip, startServer, checks } = require('./server.cjs');

async function main() {
  const SwaggerParser = requireToolOrSkip('@apidevtools/swagger-parser');
  const server = await startServer(process.argv[2]);
  const { check, report } = checks();
  try {
    const response = await fetch(`${server.base}/api/openapi.json`);
    check(response.status === 200, `openapi.json answered ${response.status}`);
    const document = await response.json();
    try {
      await SwaggerParser.validate(structuredClone(document));
      check(true, '');
    } catch (error) {
      check(false, `invalid OpenAPI document: ${error.message}`);
    }
    // Every documented operation exists on the server: a path parameter gets a value that is
    // no reserved word, and the answer is neither "no such path" nor "no such method".
    for (const [template, operations] of Object.entries(document.paths)) {
      const path = template.replace(/\{[^}]+\}/g, 'someone');
      for (const method of Object.keys(operations)) {
        const answer = await fetch(`${server.base}${path}`, { method: method.toUpperCase() });
        const body = await answer.text();
        const unknown = answer.status === 405 || (answer.status === 404 && body.includes('"Not found"'));
        check(!unknown, `${method.toUpperCase()} ${template} is documented but not served (${answer.status})`);
      }
    }
    const page = await (await fetch(`${server.base}/api/docs`)).text();
    check(page.includes('swagger-ui'), 'the docs page is not the Swagger UI page');
    check(!/(https?:)?\/\/[a-z0-9]/i.test(page), `the docs page references an outside URL:\n${page}`);
    const initializer = await (await fetch(`${server.base}/api/docs/initializer.js`)).text();
    check(initializer.includes('/api/openapi.json'), 'the initializer does not load /api/openapi.json');
    check(/validatorUrl:\s*null/.test(initializer), 'the initializer leaves the outside validator on');
  } finally {
    check((await server.stop()) === 0, 'the server did not exit 0 on SIGTERM');
  }
  report();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
