// Module resolution hooks for ES-module handlers (registered by worker.js).
// ES modules ignore NODE_PATH, so a bare import that the handler's own folders cannot
// satisfy ('@aws-sdk/client-sfn') is resolved again from the runtime's node_modules,
// as Lambda's runtime-provided SDK is.
let parentURL;

export function initialize(data) {
  parentURL = data.parentURL;
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier) || !parentURL) throw error;
    return nextResolve(specifier, { ...context, parentURL });
  }
}
