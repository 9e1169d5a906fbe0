// opencc-js publishes its per-direction builds through package "exports", which this project's
// `moduleResolution: node` does not read (Node's require does): the build that converts to Simplified
// has the package's own types.
declare module 'opencc-js/t2cn' {
  export * from 'opencc-js/types/full';
}
