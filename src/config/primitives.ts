// Small value schemas shared by the config sections.
import { z } from 'zod';

export const int = () => z.number().int();
export const positiveInt = () => int().min(1);
export const share = () => z.number().min(0);
export const identifier = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, "_", "-" and "." only');
