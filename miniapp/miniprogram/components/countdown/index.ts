import { register } from '../../lib/page';
import { countdown } from './component';

register(countdown);
