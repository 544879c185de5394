// The library documents RateLimiterStoreAbstract as the base of every new store limiter and types
// it in its index, but its entry point does not export the class: it is loaded from its own file.
declare module 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js' {
  import { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
  export default RateLimiterStoreAbstract;
}
