import { register } from '../../lib/page';
import { profilePage } from './page';

register(profilePage);
