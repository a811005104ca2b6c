// Loads the mini-program's own definitions and templates into miniprogram-simulate. Pages and
// components are plain objects (miniapp/miniprogram/lib/page.ts), so the definition is passed
// with its index.wxml rather than through Component() in a compiled index.js.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import simulate from 'miniprogram-simulate';
import { countdown } from '../../../miniapp/miniprogram/components/countdown/component';
import { pointsToggle } from '../../../miniapp/miniprogram/components/points-toggle/component';
import { couponChoice } from '../../../miniapp/miniprogram/components/coupon-choice/component';
import { promoBadges } from '../../../miniapp/miniprogram/components/promo-badges/component';
import { price } from '../../../miniapp/miniprogram/components/price/component';
import { productRows } from '../../../miniapp/miniprogram/components/product-rows/component';
import { specPicker } from '../../../miniapp/miniprogram/components/spec-picker/component';
import { stateView } from '../../../miniapp/miniprogram/components/state-view/component';

const ROOT = join(__dirname, '../../../miniapp/miniprogram');
const template = (dir: string) => readFileSync(join(ROOT, dir, 'index.wxml'), 'utf8');

// simulate.load's typings want the WechatMiniprogram option shapes; our definitions are plain
// objects of the same fields (lib/page.ts), so it is called through this one signature.
const loadDefinition = simulate.load as unknown as (definition: object) => string;

let shared: Record<string, string> | undefined;

/** The app-wide components of app.json, registered once. */
function sharedComponents(): Record<string, string> {
  if (shared) return shared;
  const priceId = loadDefinition({ template: template('components/price'), ...price });
  const badgesId = loadDefinition({ template: template('components/promo-badges'), ...promoBadges });
  shared = {
    price: priceId,
    'promo-badges': badgesId,
    'coupon-choice': loadDefinition({ template: template('components/coupon-choice'), ...couponChoice }),
    'state-view': loadDefinition({ template: template('components/state-view'), ...stateView }),
    countdown: loadDefinition({ template: template('components/countdown'), ...countdown }),
    'spec-picker': loadDefinition({ template: template('components/spec-picker'), ...specPicker }),
    'points-toggle': loadDefinition({ template: template('components/points-toggle'), ...pointsToggle }),
    'product-rows': loadDefinition({ template: template('components/product-rows'), usingComponents: { price: priceId, 'promo-badges': badgesId }, ...productRows }),
  };
  return shared;
}

export function load(dir: string, definition: object): string {
  return loadDefinition({ template: template(dir), usingComponents: sharedComponents(), ...definition });
}

/** j-component has addEventListener (events a component triggers), missing from its typings. */
type Listening = { addEventListener(name: string, handler: (event: { detail: any }) => void): void };

/** jsdom's document; this config type-checks without the DOM library (the Worker types clash with it). */
const documentOf = () => (globalThis as unknown as { document: { createElement(tag: string): never } }).document;

/** Renders and attaches (so lifetimes run) the definition in `dir`. */
export function render(dir: string, definition: object, properties: Record<string, unknown> = {}) {
  const component = simulate.render(load(dir, definition), properties);
  component.attach(documentOf().createElement('parent-wrapper'));
  return component as typeof component & Listening;
}

/** The first element matching the selector, which the test expects to be there. */
export function find(component: { querySelector(selector: string): unknown }, selector: string) {
  const found = component.querySelector(selector) as ReturnType<ReturnType<typeof simulate.render>['querySelector']>;
  if (!found) throw new Error(`nothing matches ${selector}`);
  return found;
}

type Rendered = { dom: unknown };

/** The text shown by the first element matching the selector, inside nested components too. */
export function textOf(component: Rendered, selector: string): string {
  const element = (component.dom as { querySelector(s: string): { textContent: string } | null }).querySelector(selector);
  if (!element) throw new Error(`nothing shows ${selector}`);
  return element.textContent.trim();
}

/** Whether anything matching the selector is shown, inside nested components too. */
export const shows = (component: Rendered, selector: string): boolean => (component.dom as { querySelector(s: string): unknown }).querySelector(selector) !== null;

export { simulate };
