import { register } from '../../lib/page';
import { homePage } from './page';

register(homePage);
