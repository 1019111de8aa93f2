export default { layout: "layouts/base.njk" };
