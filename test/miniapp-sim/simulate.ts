// Loads the mini-program's own definitions and templates into miniprogram-simulate. Pages and
// components are plain objects (miniapp/miniprogram/lib/page.ts), so the definition is passed
// with its index.wxml rather than through Component() in a compiled index.js.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import simulate from 'miniprogram-simulate';
import { countdown } from '../../miniapp/miniprogram/components/countdown/component';
import { price } from '../../miniapp/miniprogram/components/price/component';
import { productRows } from '../../miniapp/miniprogram/components/product-rows/component';
import { specPicker } from '../../miniapp/miniprogram/components/spec-picker/component';
import { stateView } from '../../miniapp/miniprogram/components/state-view/component';

const ROOT = join(__dirname, '../../miniapp/miniprogram');
const template = (dir: string) => readFileSync(join(ROOT, dir, 'index.wxml'), 'utf8');

let shared: Record<string, string> | undefined;

/** The app-wide components of app.json, registered once. */
function sharedComponents(): Record<string, string> {
  if (shared) return shared;
  const priceId = simulate.load({ template: template('components/price'), ...price });
  shared = {
    price: priceId,
    'state-view': simulate.load({ template: template('components/state-view'), ...stateView }),
    countdown: simulate.load({ template: template('components/countdown'), ...countdown }),
    'spec-picker': simulate.load({ template: template('components/spec-picker'), ...specPicker }),
    'product-rows': simulate.load({ template: template('components/product-rows'), usingComponents: { price: priceId }, ...productRows }),
  };
  return shared;
}

export function load(dir: string, definition: object): string {
  return simulate.load({ template: template(dir), usingComponents: sharedComponents(), ...definition });
}

/** Renders and attaches (so lifetimes run) the definition in `dir`. */
export function render(dir: string, definition: object, properties: Record<string, unknown> = {}) {
  const component = simulate.render(load(dir, definition), properties);
  component.attach(document.createElement('parent-wrapper'));
  return component;
}

export { simulate };
