import { register } from '../../lib/page';
import { promoBadges } from './component';

register(promoBadges);
