/**
 * The episode thresholds of a fee policy are refused at synth as at cold start, each bad field
 * named (the stack checks `feePolicy` through the contract's configuration checks).
 */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readStackConfig } from '../../infra/config';

const configOf = (context: Record<string, unknown>) => readStackConfig(new App({ context }).node);

describe('episode thresholds at synth', () => {
  it('passes a policy with custom thresholds on', () => {
    const policy = {
      products: {
        QUICK: {
          riskClassDpd: { SPECIAL_MENTION: 5, SUBSTANDARD: 31, DOUBTFUL: 61, LOSS: 91 },
          creditHoldDpd: 3,
          creditNoticeDpd: 2,
          hardshipOfferDpd: 0,
        },
      },
    };
    expect(configOf({ feePolicy: policy }).feePolicy).toBe(JSON.stringify(policy));
  });

  it('refuses classes out of order and a missing class, naming each', () => {
    const bad = () =>
      configOf({
        feePolicy: {
          products: {
            QUICK: {
              riskClassDpd: { SPECIAL_MENTION: 31, SUBSTANDARD: 5, DOUBTFUL: 61, LOSS: 90 },
            },
            OTHER: { riskClassDpd: { SPECIAL_MENTION: 1, SUBSTANDARD: 5, DOUBTFUL: 61 } },
          },
        },
      });
    expect(bad).toThrow(/FEE_POLICY\.products\.QUICK\.riskClassDpd\.SUBSTANDARD: must be greater/);
    expect(bad).toThrow(/FEE_POLICY\.products\.OTHER\.riskClassDpd\.LOSS: missing/);
  });

  it('refuses a credit hold after the charge-off', () => {
    expect(() => configOf({ feePolicy: { default: { creditHoldDpd: 200 } } })).toThrow(
      /FEE_POLICY\.default\.creditHoldDpd: 200 is after chargeOffDpd \(180\)/,
    );
  });
});
