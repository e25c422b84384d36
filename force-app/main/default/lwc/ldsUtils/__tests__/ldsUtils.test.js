import { reduceErrors } from 'c/ldsUtils';

describe('reduceErrors', () => {
    it('reads an AuraHandledException message', () => {
        expect(
            reduceErrors({ body: { message: 'No access.' }, status: 500 })
        ).toEqual(['No access.']);
    });

    it('reads UI API errors given as an array', () => {
        expect(
            reduceErrors({
                body: [{ message: 'First.' }, { message: 'Second.' }]
            })
        ).toEqual(['First.', 'Second.']);
    });

    it('reads page and field errors', () => {
        const error = {
            body: {
                message: 'An error occurred while trying to update the record.',
                pageErrors: [{ message: 'Locked.' }],
                fieldErrors: { Name: [{ message: 'Required.' }] }
            }
        };
        expect(reduceErrors(error)).toEqual(['Locked.', 'Required.']);
    });

    it('reads JavaScript errors and plain strings, and flattens arrays', () => {
        expect(
            reduceErrors([new TypeError('x is undefined'), 'Offline.', null])
        ).toEqual(['x is undefined', 'Offline.']);
    });

    it('falls back to the status text of a failed fetch', () => {
        expect(reduceErrors({ statusText: 'Bad Gateway' })).toEqual([
            'Bad Gateway'
        ]);
    });

    it('returns nothing for nothing', () => {
        expect(reduceErrors(undefined)).toEqual([]);
        expect(reduceErrors({ body: { message: '   ' } })).toEqual([]);
    });
});
