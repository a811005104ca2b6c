import { register } from '../../../lib/page';
import { bargainSessionPage } from './page';

register(bargainSessionPage);
